/* pf-lookup.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pf-lookup.h"

struct _PfLookup
{
  GObject       parent_instance;
  PfLookupKind  kind;
  char         *query;
  gboolean      via_mx;
  gboolean      finished;
  GError       *error;
  GPtrArray    *hosts;   /* NULL-terminated */
};

G_DEFINE_FINAL_TYPE (PfLookup, pf_lookup, G_TYPE_OBJECT)

const char *
pf_lookup_kind_to_string (PfLookupKind kind)
{
  switch (kind)
    {
    case PF_LOOKUP_AUTOCONFIG:
      return "autoconfig";
    case PF_LOOKUP_ISPDB:
      return "ispdb";
    case PF_LOOKUP_SRV:
      return "srv";
    case PF_LOOKUP_MX:
      return "mx";
    default:
      return "unknown";
    }
}

static void
pf_lookup_finalize (GObject *object)
{
  PfLookup *self = PF_LOOKUP (object);

  g_free (self->query);
  g_clear_error (&self->error);
  g_ptr_array_unref (self->hosts);
  G_OBJECT_CLASS (pf_lookup_parent_class)->finalize (object);
}

static void
pf_lookup_class_init (PfLookupClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pf_lookup_finalize;
}

static void
pf_lookup_init (PfLookup *self)
{
  self->hosts = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->hosts, NULL);
}

PfLookup *
pf_lookup_new (PfLookupKind  kind,
               const char   *query,
               gboolean      via_mx)
{
  PfLookup *self;

  g_return_val_if_fail (query != NULL, NULL);

  self = g_object_new (PF_TYPE_LOOKUP, NULL);
  self->kind = kind;
  self->query = g_strdup (query);
  self->via_mx = via_mx;
  return self;
}

PfLookupKind
pf_lookup_get_kind (PfLookup *self)
{
  g_return_val_if_fail (PF_IS_LOOKUP (self), 0);
  return self->kind;
}

const char *
pf_lookup_get_query (PfLookup *self)
{
  g_return_val_if_fail (PF_IS_LOOKUP (self), NULL);
  return self->query;
}

gboolean
pf_lookup_get_via_mx (PfLookup *self)
{
  g_return_val_if_fail (PF_IS_LOOKUP (self), FALSE);
  return self->via_mx;
}

gboolean
pf_lookup_get_finished (PfLookup *self)
{
  g_return_val_if_fail (PF_IS_LOOKUP (self), FALSE);
  return self->finished;
}

const GError *
pf_lookup_get_error (PfLookup *self)
{
  g_return_val_if_fail (PF_IS_LOOKUP (self), NULL);
  return self->error;
}

const char * const *
pf_lookup_get_hosts (PfLookup *self)
{
  g_return_val_if_fail (PF_IS_LOOKUP (self), NULL);
  return (const char * const *) self->hosts->pdata;
}

void
pf_lookup_add_host (PfLookup   *self,
                    const char *host)
{
  g_return_if_fail (PF_IS_LOOKUP (self));
  g_return_if_fail (host != NULL);

  g_ptr_array_insert (self->hosts, self->hosts->len - 1, g_strdup (host));
}

void
pf_lookup_finish (PfLookup     *self,
                  const GError *error)
{
  g_return_if_fail (PF_IS_LOOKUP (self));

  self->finished = TRUE;
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
}
