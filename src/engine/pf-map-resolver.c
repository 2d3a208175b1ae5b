/* pf-map-resolver.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-map-resolver.h"

struct _PfMapResolver
{
  GResolver   parent_instance;
  GResolver  *fallback;
  GHashTable *hosts;     /* lower-case name → GPtrArray of GInetAddress */
  GHashTable *domains;   /* lower-case domain → GInetAddress */
  GHashTable *srv;       /* lower-case rrname → GPtrArray of GVariant (qqqs) */
  GHashTable *mx;        /* lower-case domain → GPtrArray of GVariant (qs) */
  GPtrArray  *queries;
  GMutex      mutex;
};

G_DEFINE_FINAL_TYPE (PfMapResolver, pf_map_resolver, G_TYPE_RESOLVER)

static char *
normalize_name (const char *name)
{
  gsize len = strlen (name);

  /* A trailing dot names the same host. */
  if (len > 1 && name[len - 1] == '.')
    len--;
  return g_ascii_strdown (name, len);
}

static GInetAddress *
find_domain_address (PfMapResolver *self,
                     const char    *name)
{
  for (const char *p = name; p != NULL; p = strchr (p, '.'))
    {
      GInetAddress *address;

      if (*p == '.')
        p++;
      address = g_hash_table_lookup (self->domains, p);
      if (address != NULL)
        return address;
    }
  return NULL;
}

static void
note_query (PfMapResolver *self,
            const char    *name)
{
  g_mutex_lock (&self->mutex);
  g_ptr_array_add (self->queries, g_strdup (name));
  g_mutex_unlock (&self->mutex);
}

/* Answers from the table: TRUE when the table decides (with *result set,
 * or *error for "not found"), FALSE when the fallback should answer. */
static gboolean
answer_name (PfMapResolver  *self,
             const char     *hostname,
             GList         **result,
             GError        **error)
{
  g_autofree char *name = normalize_name (hostname);
  GPtrArray *addresses;
  GInetAddress *literal;
  GInetAddress *domain_address;

  note_query (self, name);

  literal = g_inet_address_new_from_string (name);
  if (literal != NULL)
    {
      *result = g_list_prepend (NULL, literal);
      return TRUE;
    }

  addresses = g_hash_table_lookup (self->hosts, name);
  if (addresses != NULL)
    {
      *result = NULL;
      for (guint i = addresses->len; i > 0; i--)
        *result = g_list_prepend (*result, g_object_ref (addresses->pdata[i - 1]));
      return TRUE;
    }

  domain_address = find_domain_address (self, name);
  if (domain_address != NULL)
    {
      *result = g_list_prepend (NULL, g_object_ref (domain_address));
      return TRUE;
    }

  if (self->fallback != NULL)
    return FALSE;

  g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
               "No address for “%s”", name);
  return TRUE;
}

static gboolean
answer_records (PfMapResolver        *self,
                const char           *rrname,
                GResolverRecordType   type,
                GList               **result,
                GError              **error)
{
  g_autofree char *name = normalize_name (rrname);
  GPtrArray *records = NULL;

  note_query (self, name);

  if (type == G_RESOLVER_RECORD_SRV)
    records = g_hash_table_lookup (self->srv, name);
  else if (type == G_RESOLVER_RECORD_MX)
    records = g_hash_table_lookup (self->mx, name);

  if (records != NULL)
    {
      *result = NULL;
      for (guint i = records->len; i > 0; i--)
        *result = g_list_prepend (*result, g_variant_ref (records->pdata[i - 1]));
      return TRUE;
    }

  if (self->fallback != NULL && find_domain_address (self, name) == NULL)
    return FALSE;

  g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
               "No records for “%s”", name);
  return TRUE;
}

static GList *
pf_map_resolver_lookup_by_name (GResolver     *resolver,
                                const char    *hostname,
                                GCancellable  *cancellable,
                                GError       **error)
{
  PfMapResolver *self = PF_MAP_RESOLVER (resolver);
  GList *result = NULL;

  if (answer_name (self, hostname, &result, error))
    return result;
  return g_resolver_lookup_by_name (self->fallback, hostname, cancellable, error);
}

static GList *
pf_map_resolver_lookup_by_name_with_flags (GResolver                 *resolver,
                                           const char                *hostname,
                                           GResolverNameLookupFlags   flags,
                                           GCancellable              *cancellable,
                                           GError                   **error)
{
  PfMapResolver *self = PF_MAP_RESOLVER (resolver);
  GList *result = NULL;

  if (answer_name (self, hostname, &result, error))
    return result;
  return g_resolver_lookup_by_name_with_flags (self->fallback, hostname, flags, cancellable, error);
}

static void
on_fallback_names (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GList *addresses;

  addresses = g_resolver_lookup_by_name_with_flags_finish (G_RESOLVER (source), result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, addresses, (GDestroyNotify) g_resolver_free_addresses);
}

static void
pf_map_resolver_lookup_by_name_with_flags_async (GResolver                *resolver,
                                                 const char               *hostname,
                                                 GResolverNameLookupFlags  flags,
                                                 GCancellable             *cancellable,
                                                 GAsyncReadyCallback       callback,
                                                 gpointer                  user_data)
{
  PfMapResolver *self = PF_MAP_RESOLVER (resolver);
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GList *result = NULL;
  GError *error = NULL;

  g_task_set_source_tag (task, pf_map_resolver_lookup_by_name_with_flags_async);

  if (!answer_name (self, hostname, &result, &error))
    {
      g_resolver_lookup_by_name_with_flags_async (self->fallback, hostname, flags, cancellable,
                                                  on_fallback_names, g_steal_pointer (&task));
      return;
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) g_resolver_free_addresses);
}

static void
pf_map_resolver_lookup_by_name_async (GResolver           *resolver,
                                      const char          *hostname,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  pf_map_resolver_lookup_by_name_with_flags_async (resolver, hostname,
                                                   G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                                   cancellable, callback, user_data);
}

static GList *
pf_map_resolver_lookup_finish (GResolver     *resolver,
                               GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static char *
pf_map_resolver_lookup_by_address (GResolver     *resolver,
                                   GInetAddress  *address,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_set_error_literal (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                       "Reverse lookups are not mapped");
  return NULL;
}

static void
pf_map_resolver_lookup_by_address_async (GResolver           *resolver,
                                         GInetAddress        *address,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);

  g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                           "Reverse lookups are not mapped");
}

static char *
pf_map_resolver_lookup_by_address_finish (GResolver     *resolver,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GList *
pf_map_resolver_lookup_records (GResolver            *resolver,
                                const char           *rrname,
                                GResolverRecordType   record_type,
                                GCancellable         *cancellable,
                                GError              **error)
{
  PfMapResolver *self = PF_MAP_RESOLVER (resolver);
  GList *result = NULL;

  if (answer_records (self, rrname, record_type, &result, error))
    return result;
  return g_resolver_lookup_records (self->fallback, rrname, record_type, cancellable, error);
}

static void
free_records (GList *records)
{
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
}

static void
on_fallback_records (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GList *records;

  records = g_resolver_lookup_records_finish (G_RESOLVER (source), result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, records, (GDestroyNotify) free_records);
}

static void
pf_map_resolver_lookup_records_async (GResolver           *resolver,
                                      const char          *rrname,
                                      GResolverRecordType  record_type,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  PfMapResolver *self = PF_MAP_RESOLVER (resolver);
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GList *result = NULL;
  GError *error = NULL;

  g_task_set_source_tag (task, pf_map_resolver_lookup_records_async);

  if (!answer_records (self, rrname, record_type, &result, &error))
    {
      g_resolver_lookup_records_async (self->fallback, rrname, record_type, cancellable,
                                       on_fallback_records, g_steal_pointer (&task));
      return;
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) free_records);
}

static void
pf_map_resolver_finalize (GObject *object)
{
  PfMapResolver *self = PF_MAP_RESOLVER (object);

  g_clear_object (&self->fallback);
  g_clear_pointer (&self->hosts, g_hash_table_unref);
  g_clear_pointer (&self->domains, g_hash_table_unref);
  g_clear_pointer (&self->srv, g_hash_table_unref);
  g_clear_pointer (&self->mx, g_hash_table_unref);
  g_clear_pointer (&self->queries, g_ptr_array_unref);
  g_mutex_clear (&self->mutex);
  G_OBJECT_CLASS (pf_map_resolver_parent_class)->finalize (object);
}

static void
pf_map_resolver_class_init (PfMapResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  object_class->finalize = pf_map_resolver_finalize;

  resolver_class->lookup_by_name = pf_map_resolver_lookup_by_name;
  resolver_class->lookup_by_name_async = pf_map_resolver_lookup_by_name_async;
  resolver_class->lookup_by_name_finish = pf_map_resolver_lookup_finish;
  resolver_class->lookup_by_name_with_flags = pf_map_resolver_lookup_by_name_with_flags;
  resolver_class->lookup_by_name_with_flags_async = pf_map_resolver_lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = pf_map_resolver_lookup_finish;
  resolver_class->lookup_by_address = pf_map_resolver_lookup_by_address;
  resolver_class->lookup_by_address_async = pf_map_resolver_lookup_by_address_async;
  resolver_class->lookup_by_address_finish = pf_map_resolver_lookup_by_address_finish;
  resolver_class->lookup_records = pf_map_resolver_lookup_records;
  resolver_class->lookup_records_async = pf_map_resolver_lookup_records_async;
  resolver_class->lookup_records_finish = pf_map_resolver_lookup_finish;
}

static void
pf_map_resolver_init (PfMapResolver *self)
{
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  self->domains = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->srv = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  self->mx = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  self->queries = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&self->mutex);
}

PfMapResolver *
pf_map_resolver_new (GResolver *fallback)
{
  PfMapResolver *self;

  g_return_val_if_fail (fallback == NULL || G_IS_RESOLVER (fallback), NULL);

  self = g_object_new (PF_TYPE_MAP_RESOLVER, NULL);
  self->fallback = fallback != NULL ? g_object_ref (fallback) : NULL;
  return self;
}

static GPtrArray *
ensure_list (GHashTable     *table,
             const char     *name,
             GDestroyNotify  free_func)
{
  g_autofree char *key = normalize_name (name);
  GPtrArray *list = g_hash_table_lookup (table, key);

  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func (free_func);
      g_hash_table_insert (table, g_steal_pointer (&key), list);
    }
  return list;
}

void
pf_map_resolver_add_host (PfMapResolver *self,
                          const char    *name,
                          const char    *address)
{
  GInetAddress *inet;

  g_return_if_fail (PF_IS_MAP_RESOLVER (self));
  g_return_if_fail (name != NULL && address != NULL);

  inet = g_inet_address_new_from_string (address);
  g_return_if_fail (inet != NULL);
  g_ptr_array_add (ensure_list (self->hosts, name, g_object_unref), inet);
}

void
pf_map_resolver_add_domain (PfMapResolver *self,
                            const char    *domain,
                            const char    *address)
{
  GInetAddress *inet;

  g_return_if_fail (PF_IS_MAP_RESOLVER (self));
  g_return_if_fail (domain != NULL && address != NULL);

  inet = g_inet_address_new_from_string (address);
  g_return_if_fail (inet != NULL);
  g_hash_table_insert (self->domains, normalize_name (domain), inet);
}

void
pf_map_resolver_add_srv (PfMapResolver *self,
                         const char    *rrname,
                         guint16        priority,
                         guint16        weight,
                         guint16        port,
                         const char    *target)
{
  g_return_if_fail (PF_IS_MAP_RESOLVER (self));
  g_return_if_fail (rrname != NULL && target != NULL);

  g_ptr_array_add (ensure_list (self->srv, rrname, (GDestroyNotify) g_variant_unref),
                   g_variant_ref_sink (g_variant_new ("(qqqs)", priority, weight, port, target)));
}

void
pf_map_resolver_add_mx (PfMapResolver *self,
                        const char    *domain,
                        guint16        preference,
                        const char    *exchange)
{
  g_return_if_fail (PF_IS_MAP_RESOLVER (self));
  g_return_if_fail (domain != NULL && exchange != NULL);

  g_ptr_array_add (ensure_list (self->mx, domain, (GDestroyNotify) g_variant_unref),
                   g_variant_ref_sink (g_variant_new ("(qs)", preference, exchange)));
}

GPtrArray *
pf_map_resolver_get_queries (PfMapResolver *self)
{
  g_return_val_if_fail (PF_IS_MAP_RESOLVER (self), NULL);

  return self->queries;
}

char *
pf_resolver_pick_address (GList *addresses)
{
  for (GList *l = addresses; l != NULL; l = l->next)
    if (g_inet_address_get_family (l->data) == G_SOCKET_FAMILY_IPV4)
      return g_inet_address_to_string (l->data);
  return addresses != NULL ? g_inet_address_to_string (addresses->data) : NULL;
}
