/* pf-port-map.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-port-map.h"

struct _PfPortMap
{
  gatomicrefcount  ref_count;
  GHashTable      *ports;   /* GUINT_TO_POINTER (standard + 1) → GUINT_TO_POINTER (actual + 1) */
  GHashTable      *hosts;   /* "host:standard" → GUINT_TO_POINTER (actual + 1) */
};

G_DEFINE_BOXED_TYPE (PfPortMap, pf_port_map, pf_port_map_ref, pf_port_map_unref)

PfPortMap *
pf_port_map_new (void)
{
  PfPortMap *map = g_new0 (PfPortMap, 1);

  g_atomic_ref_count_init (&map->ref_count);
  map->ports = g_hash_table_new (NULL, NULL);
  map->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return map;
}

PfPortMap *
pf_port_map_ref (PfPortMap *map)
{
  g_return_val_if_fail (map != NULL, NULL);

  g_atomic_ref_count_inc (&map->ref_count);
  return map;
}

void
pf_port_map_unref (PfPortMap *map)
{
  if (map == NULL)
    return;
  if (g_atomic_ref_count_dec (&map->ref_count))
    {
      g_hash_table_unref (map->ports);
      g_hash_table_unref (map->hosts);
      g_free (map);
    }
}

void
pf_port_map_set (PfPortMap *map,
                 guint16    standard,
                 guint16    actual)
{
  g_return_if_fail (map != NULL);

  g_hash_table_insert (map->ports,
                       GUINT_TO_POINTER ((guint) standard + 1),
                       GUINT_TO_POINTER ((guint) actual + 1));
}

guint16
pf_port_map_lookup (const PfPortMap *map,
                    guint16          standard)
{
  gpointer value;

  if (map == NULL)
    return standard;
  value = g_hash_table_lookup (map->ports, GUINT_TO_POINTER ((guint) standard + 1));
  if (value == NULL)
    return standard;
  return (guint16) (GPOINTER_TO_UINT (value) - 1);
}

static char *
host_key (const char *host,
          guint16     standard)
{
  g_autofree char *lower = g_ascii_strdown (host, -1);

  return g_strdup_printf ("%s:%u", lower, standard);
}

void
pf_port_map_set_for_host (PfPortMap  *map,
                          const char *host,
                          guint16     standard,
                          guint16     actual)
{
  g_return_if_fail (map != NULL);
  g_return_if_fail (host != NULL);

  g_hash_table_insert (map->hosts, host_key (host, standard),
                       GUINT_TO_POINTER ((guint) actual + 1));
}

guint16
pf_port_map_lookup_for_host (const PfPortMap *map,
                             const char      *host,
                             guint16          standard)
{
  g_autofree char *key = NULL;
  gpointer value;

  if (map == NULL)
    return standard;
  if (host != NULL)
    {
      key = host_key (host, standard);
      value = g_hash_table_lookup (map->hosts, key);
      if (value != NULL)
        return (guint16) (GPOINTER_TO_UINT (value) - 1);
    }
  return pf_port_map_lookup (map, standard);
}

PfPortMap *
pf_port_map_parse (const char  *spec,
                   GError     **error)
{
  g_autoptr(PfPortMap) map = pf_port_map_new ();
  g_auto(GStrv) pairs = NULL;

  g_return_val_if_fail (spec != NULL, NULL);

  pairs = g_strsplit_set (spec, ";,", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      g_auto(GStrv) parts = NULL;
      guint64 standard, actual;
      char *pair = g_strstrip (pairs[i]);

      if (*pair == '\0')
        continue;
      parts = g_strsplit (pair, ":", -1);
      if (g_strv_length (parts) != 2 ||
          !g_ascii_string_to_unsigned (g_strstrip (parts[0]), 10, 1, G_MAXUINT16, &standard, NULL) ||
          !g_ascii_string_to_unsigned (g_strstrip (parts[1]), 10, 0, G_MAXUINT16, &actual, NULL))
        {
          g_set_error (error, PF_ERROR, PF_ERROR_CONFIG,
                       _("“%s” is not a port mapping like “995:41995”."), pair);
          return NULL;
        }
      pf_port_map_set (map, (guint16) standard, (guint16) actual);
    }
  return g_steal_pointer (&map);
}
