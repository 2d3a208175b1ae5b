/* pf-provider.c — the provider table: parsing and matching, no I/O
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pf-detect-resources.h"
#include "pf-error.h"
#include "pf-provider.h"

#define TABLE_RESOURCE "/io/github/popfetch/Popfetch/engine/providers.ini"

G_DEFINE_ENUM_TYPE (PfProviderPop3, pf_provider_pop3,
                    G_DEFINE_ENUM_VALUE (PF_PROVIDER_POP3_YES, "yes"),
                    G_DEFINE_ENUM_VALUE (PF_PROVIDER_POP3_NO, "no"),
                    G_DEFINE_ENUM_VALUE (PF_PROVIDER_POP3_PLAN, "plan"))

G_DEFINE_FLAGS_TYPE (PfProviderAuth, pf_provider_auth,
                     G_DEFINE_ENUM_VALUE (PF_PROVIDER_AUTH_PASSWORD, "password"),
                     G_DEFINE_ENUM_VALUE (PF_PROVIDER_AUTH_APP_PASSWORD, "app-password"),
                     G_DEFINE_ENUM_VALUE (PF_PROVIDER_AUTH_OAUTH2, "oauth2"))

G_DEFINE_ENUM_TYPE (PfProviderReply, pf_provider_reply,
                    G_DEFINE_ENUM_VALUE (PF_PROVIDER_REPLY_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (PF_PROVIDER_REPLY_APP_PASSWORD, "app-password"),
                    G_DEFINE_ENUM_VALUE (PF_PROVIDER_REPLY_WEB_LOGIN, "web-login"),
                    G_DEFINE_ENUM_VALUE (PF_PROVIDER_REPLY_POP3_OFF, "pop3-off"))

struct _PfProvider
{
  gatomicrefcount  ref_count;
  char            *id;
  char            *name;
  char           **domains;
  char           **aliases;
  char           **mx_patterns;
  GPtrArray       *mx_specs;       /* GPatternSpec, lower case */
  PfProviderPop3   pop3;
  gboolean         pop3_off_by_default;
  gboolean         pop3_may_switch_off;
  GPtrArray       *servers;        /* PfProviderServer */
  PfProviderAuth   auth;
  char            *oauth2;
  char            *enable_url;
  char            *app_password_url;
  char            *replies[PF_PROVIDER_REPLY_POP3_OFF + 1];   /* lower case */
  char           **notes;
  char           **note_words;     /* "keep" for note-keep, in step with notes */
  char            *keep_setting_url;
  guint            pop3_batch;
  guint64          quota;
};

G_DEFINE_BOXED_TYPE (PfProvider, pf_provider, pf_provider_ref, pf_provider_unref)

static void
provider_server_free (PfProviderServer *server)
{
  g_free (server->host);
  g_free (server);
}

PfProvider *
pf_provider_ref (PfProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);

  g_atomic_ref_count_inc (&provider->ref_count);
  return provider;
}

void
pf_provider_unref (PfProvider *provider)
{
  g_return_if_fail (provider != NULL);

  if (!g_atomic_ref_count_dec (&provider->ref_count))
    return;
  g_free (provider->id);
  g_free (provider->name);
  g_strfreev (provider->domains);
  g_strfreev (provider->aliases);
  g_strfreev (provider->mx_patterns);
  g_ptr_array_unref (provider->mx_specs);
  g_ptr_array_unref (provider->servers);
  g_free (provider->oauth2);
  g_free (provider->enable_url);
  g_free (provider->app_password_url);
  for (guint i = 0; i < G_N_ELEMENTS (provider->replies); i++)
    g_free (provider->replies[i]);
  g_strfreev (provider->notes);
  g_strfreev (provider->note_words);
  g_free (provider->keep_setting_url);
  g_free (provider);
}

/* ---- Getters ------------------------------------------------------------ */

#define GETTER(type, name, fallback) \
  type \
  pf_provider_get_##name (const PfProvider *provider) \
  { \
    g_return_val_if_fail (provider != NULL, fallback); \
    return provider->name; \
  }

GETTER (const char *, id, NULL)
GETTER (const char *, name, NULL)
GETTER (PfProviderPop3, pop3, PF_PROVIDER_POP3_YES)
GETTER (gboolean, pop3_off_by_default, FALSE)
GETTER (gboolean, pop3_may_switch_off, FALSE)
GETTER (GPtrArray *, servers, NULL)
GETTER (PfProviderAuth, auth, 0)
GETTER (const char *, oauth2, NULL)
GETTER (const char *, enable_url, NULL)
GETTER (const char *, app_password_url, NULL)
GETTER (const char *, keep_setting_url, NULL)
GETTER (guint, pop3_batch, 0)
GETTER (guint64, quota, 0)

#undef GETTER

const char * const *
pf_provider_get_domains (const PfProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);
  return (const char * const *) provider->domains;
}

const char * const *
pf_provider_get_aliases (const PfProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);
  return (const char * const *) provider->aliases;
}

const char * const *
pf_provider_get_mx_patterns (const PfProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);
  return (const char * const *) provider->mx_patterns;
}

const char * const *
pf_provider_get_notes (const PfProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);
  return (const char * const *) provider->notes;
}

const char *
pf_provider_get_note (const PfProvider *provider,
                      const char       *word)
{
  g_return_val_if_fail (provider != NULL, NULL);
  g_return_val_if_fail (word != NULL, NULL);

  for (guint i = 0; provider->note_words[i] != NULL; i++)
    if (strcmp (provider->note_words[i], word) == 0)
      return provider->notes[i];
  return NULL;
}

/* ---- Names -------------------------------------------------------------- */

/* DNS names compare in lower case without the root's trailing dot. */
static char *
normalize_name (const char *name)
{
  gsize len = strlen (name);

  while (len > 0 && name[len - 1] == '.')
    len--;
  return g_ascii_strdown (name, len);
}

gboolean
pf_provider_has_server (const PfProvider *provider,
                        const char       *host)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (provider != NULL, FALSE);

  if (host == NULL)
    return FALSE;
  name = normalize_name (host);
  for (guint i = 0; i < provider->servers->len; i++)
    {
      PfProviderServer *server = provider->servers->pdata[i];

      if (strcmp (server->host, name) == 0)
        return TRUE;
    }
  return FALSE;
}

PfProviderReply
pf_provider_match_reply (const PfProvider *provider,
                         const char       *text)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (provider != NULL, PF_PROVIDER_REPLY_NONE);

  if (text == NULL)
    return PF_PROVIDER_REPLY_NONE;
  lower = g_utf8_strdown (text, -1);
  for (guint i = PF_PROVIDER_REPLY_APP_PASSWORD; i < G_N_ELEMENTS (provider->replies); i++)
    if (provider->replies[i] != NULL && strstr (lower, provider->replies[i]) != NULL)
      return (PfProviderReply) i;
  return PF_PROVIDER_REPLY_NONE;
}

char *
pf_provider_describe_pop3 (const PfProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);

  switch (provider->pop3)
    {
    case PF_PROVIDER_POP3_NO:
      /* Translators: %s is a provider's name, such as "iCloud Mail". */
      return g_strdup_printf (_("%s does not offer POP3; use IMAP in a mail client."), provider->name);
    case PF_PROVIDER_POP3_PLAN:
      /* Translators: %s is a provider's name, such as "Zoho Mail". */
      return g_strdup_printf (_("%s offers POP3 only on some plans; check that yours includes it."),
                              provider->name);
    case PF_PROVIDER_POP3_YES:
    default:
      return NULL;
    }
}

/* ---- Parsing ------------------------------------------------------------ */

static gboolean
id_is_valid (const char *id)
{
  if (*id == '\0')
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
invalid (GError    **error,
         const char *group,
         const char *key,
         const char *value)
{
  g_set_error (error, PF_ERROR, PF_ERROR_CONFIG,
               "Provider table: [%s] %s: “%s” is not valid.", group, key, value);
  return FALSE;
}

static gboolean
enum_from_nick (GType       type,
                const char *nick,
                int        *value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *found = g_enum_get_value_by_nick (klass, nick);

  if (found == NULL)
    return FALSE;
  *value = found->value;
  return TRUE;
}

/* A list of host names or domains, normalised; every one plausible. */
static char **
get_names (GKeyFile    *file,
           const char  *group,
           const char  *key,
           GError     **error)
{
  g_auto(GStrv) values = NULL;
  GPtrArray *names;

  if (!g_key_file_has_key (file, group, key, NULL))
    return g_new0 (char *, 1);
  values = g_key_file_get_string_list (file, group, key, NULL, error);
  if (values == NULL)
    return NULL;
  names = g_ptr_array_new ();
  for (guint i = 0; values[i] != NULL; i++)
    {
      char *name = normalize_name (g_strstrip (values[i]));

      if (*name == '\0' || strchr (name, '@') != NULL || strchr (name, ' ') != NULL)
        {
          g_free (name);
          g_ptr_array_add (names, NULL);
          g_strfreev ((char **) g_ptr_array_free (names, FALSE));
          invalid (error, group, key, values[i]);
          return NULL;
        }
      g_ptr_array_add (names, name);
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

static gboolean
parse_servers (PfProvider  *provider,
               GKeyFile    *file,
               const char  *group,
               GError     **error)
{
  g_auto(GStrv) values = NULL;

  if (!g_key_file_has_key (file, group, "servers", NULL))
    return TRUE;
  values = g_key_file_get_string_list (file, group, "servers", NULL, error);
  if (values == NULL)
    return FALSE;
  for (guint i = 0; values[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_strstrip (values[i]), ":", -1);
      PfProviderServer *server;
      guint64 port;
      PfSecurity security;

      if (g_strv_length (parts) != 3 || *parts[0] == '\0' ||
          !g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXUINT16, &port, NULL) ||
          !pf_security_from_string (parts[2], &security) || security == PF_SECURITY_NONE)
        return invalid (error, group, "servers", values[i]);

      server = g_new0 (PfProviderServer, 1);
      server->host = normalize_name (parts[0]);
      server->port = (guint16) port;
      server->security = security;
      g_ptr_array_add (provider->servers, server);
    }
  return TRUE;
}

static gboolean
parse_auth (PfProvider  *provider,
            GKeyFile    *file,
            const char  *group,
            GError     **error)
{
  g_autoptr(GFlagsClass) klass = NULL;
  g_auto(GStrv) values = NULL;

  if (!g_key_file_has_key (file, group, "auth", NULL))
    return TRUE;
  values = g_key_file_get_string_list (file, group, "auth", NULL, error);
  if (values == NULL)
    return FALSE;
  klass = g_type_class_ref (PF_TYPE_PROVIDER_AUTH);
  for (guint i = 0; values[i] != NULL; i++)
    {
      GFlagsValue *flag = g_flags_get_value_by_nick (klass, g_strstrip (values[i]));

      if (flag == NULL)
        return invalid (error, group, "auth", values[i]);
      provider->auth |= flag->value;
    }
  return TRUE;
}

static gboolean
get_optional_boolean (GKeyFile    *file,
                      const char  *group,
                      const char  *key,
                      gboolean    *value,
                      GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  *value = FALSE;
  if (!g_key_file_has_key (file, group, key, NULL))
    return TRUE;
  *value = g_key_file_get_boolean (file, group, key, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

static char *
get_optional_string (GKeyFile   *file,
                     const char *group,
                     const char *key)
{
  g_autofree char *value = g_key_file_get_string (file, group, key, NULL);

  if (value == NULL || *g_strstrip (value) == '\0')
    return NULL;
  return g_steal_pointer (&value);
}

static gboolean
parse_notes (PfProvider  *provider,
             GKeyFile    *file,
             const char  *group,
             GError     **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (file, group, NULL, error);
  GPtrArray *notes;
  GPtrArray *words;

  if (keys == NULL)
    return FALSE;
  notes = g_ptr_array_new ();
  words = g_ptr_array_new ();
  for (guint i = 0; keys[i] != NULL; i++)
    {
      /* "note-x[de]" is the translation of "note-x", read through it. */
      if (!g_str_has_prefix (keys[i], "note-") || strchr (keys[i], '[') != NULL)
        continue;
      g_ptr_array_add (notes, g_key_file_get_locale_string (file, group, keys[i], NULL, NULL));
      g_ptr_array_add (words, g_strdup (keys[i] + strlen ("note-")));
    }
  g_ptr_array_add (notes, NULL);
  g_ptr_array_add (words, NULL);
  provider->notes = (char **) g_ptr_array_free (notes, FALSE);
  provider->note_words = (char **) g_ptr_array_free (words, FALSE);
  return TRUE;
}

/* "250": a count from 1 to 100000. */
static gboolean
parse_pop3_batch (PfProvider  *provider,
                  GKeyFile    *file,
                  const char  *group,
                  GError     **error)
{
  g_autofree char *text = get_optional_string (file, group, "pop3-batch");
  guint64 value = 0;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 1, 100000, &value, NULL))
    {
      invalid (error, group, "pop3-batch", text);
      return FALSE;
    }
  provider->pop3_batch = (guint) value;
  return TRUE;
}

/* "15GB", "1000MB": a mailbox limit in decimal units, as providers'
 * pages state them (and as the server view prints sizes). */
static gboolean
parse_quota (PfProvider  *provider,
             GKeyFile    *file,
             const char  *group,
             GError     **error)
{
  g_autofree char *text = get_optional_string (file, group, "quota");
  g_autofree char *number = NULL;
  guint64 value = 0;
  guint64 unit;

  if (text == NULL)
    return TRUE;
  if (g_str_has_suffix (text, "GB"))
    unit = G_GUINT64_CONSTANT (1000000000);
  else if (g_str_has_suffix (text, "MB"))
    unit = 1000000;
  else
    unit = 0;
  number = g_strndup (text, strlen (text) - (unit != 0 ? 2 : 0));
  if (unit == 0 || !g_ascii_string_to_unsigned (number, 10, 1, 1 << 20, &value, NULL))
    {
      invalid (error, group, "quota", text);
      return FALSE;
    }
  provider->quota = value * unit;
  return TRUE;
}

static const char * const known_keys[] = {
  "name", "domains", "aliases", "mx", "pop3", "pop3-off-by-default", "pop3-may-switch-off",
  "servers", "auth", "oauth2", "enable-url", "app-password-url",
  "keep-setting-url",
  "reply-app-password", "reply-web-login", "reply-pop3-off", "pop3-batch", "quota", NULL
};

/* A misspelt key would silently drop a fact: refuse it. */
static gboolean
check_keys (GKeyFile    *file,
            const char  *group,
            GError     **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (file, group, NULL, error);

  if (keys == NULL)
    return FALSE;
  for (guint i = 0; keys[i] != NULL; i++)
    if (!g_strv_contains (known_keys, keys[i]) && !g_str_has_prefix (keys[i], "note-"))
      {
        g_set_error (error, PF_ERROR, PF_ERROR_CONFIG,
                     "Provider table: [%s] has an unknown key “%s”.", group, keys[i]);
        return FALSE;
      }
  return TRUE;
}

static PfProvider *
parse_provider (GKeyFile    *file,
                const char  *group,
                GError     **error)
{
  static const struct { PfProviderReply reply; const char *key; } reply_keys[] = {
    { PF_PROVIDER_REPLY_APP_PASSWORD, "reply-app-password" },
    { PF_PROVIDER_REPLY_WEB_LOGIN, "reply-web-login" },
    { PF_PROVIDER_REPLY_POP3_OFF, "reply-pop3-off" },
  };
  g_autoptr(PfProvider) provider = g_new0 (PfProvider, 1);
  g_autofree char *pop3 = NULL;
  int pop3_value;

  g_atomic_ref_count_init (&provider->ref_count);
  provider->id = g_strdup (group);
  provider->mx_specs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_pattern_spec_free);
  provider->servers = g_ptr_array_new_with_free_func ((GDestroyNotify) provider_server_free);

  if (!id_is_valid (group))
    {
      g_set_error (error, PF_ERROR, PF_ERROR_CONFIG,
                   "Provider table: “%s” is not a valid provider id.", group);
      return NULL;
    }
  if (!check_keys (file, group, error))
    return NULL;

  provider->name = get_optional_string (file, group, "name");
  if (provider->name == NULL)
    {
      g_set_error (error, PF_ERROR, PF_ERROR_CONFIG, "Provider table: [%s] has no name.", group);
      return NULL;
    }

  pop3 = get_optional_string (file, group, "pop3");
  if (pop3 == NULL || !enum_from_nick (PF_TYPE_PROVIDER_POP3, pop3, &pop3_value))
    {
      invalid (error, group, "pop3", pop3 != NULL ? pop3 : "");
      return NULL;
    }
  provider->pop3 = (PfProviderPop3) pop3_value;

  if ((provider->domains = get_names (file, group, "domains", error)) == NULL ||
      (provider->aliases = get_names (file, group, "aliases", error)) == NULL ||
      (provider->mx_patterns = get_names (file, group, "mx", error)) == NULL)
    return NULL;
  for (guint i = 0; provider->mx_patterns[i] != NULL; i++)
    g_ptr_array_add (provider->mx_specs, g_pattern_spec_new (provider->mx_patterns[i]));
  if (provider->domains[0] == NULL && provider->mx_patterns[0] == NULL)
    {
      g_set_error (error, PF_ERROR, PF_ERROR_CONFIG,
                   "Provider table: [%s] has neither domains nor MX patterns.", group);
      return NULL;
    }

  if (!get_optional_boolean (file, group, "pop3-off-by-default", &provider->pop3_off_by_default, error) ||
      !get_optional_boolean (file, group, "pop3-may-switch-off", &provider->pop3_may_switch_off, error) ||
      !parse_servers (provider, file, group, error) ||
      !parse_auth (provider, file, group, error) ||
      !parse_notes (provider, file, group, error) ||
      !parse_pop3_batch (provider, file, group, error) ||
      !parse_quota (provider, file, group, error))
    return NULL;
  if (provider->pop3 != PF_PROVIDER_POP3_NO && provider->servers->len == 0)
    {
      g_set_error (error, PF_ERROR, PF_ERROR_CONFIG,
                   "Provider table: [%s] offers POP3 but lists no server.", group);
      return NULL;
    }

  provider->oauth2 = get_optional_string (file, group, "oauth2");
  if ((provider->auth & PF_PROVIDER_AUTH_OAUTH2) != 0 && provider->oauth2 == NULL)
    {
      g_set_error (error, PF_ERROR, PF_ERROR_CONFIG,
                   "Provider table: [%s] accepts OAuth2 but names no OAuth2 provider.", group);
      return NULL;
    }
  provider->enable_url = get_optional_string (file, group, "enable-url");
  provider->app_password_url = get_optional_string (file, group, "app-password-url");
  provider->keep_setting_url = get_optional_string (file, group, "keep-setting-url");
  for (guint i = 0; i < G_N_ELEMENTS (reply_keys); i++)
    {
      g_autofree char *text = get_optional_string (file, group, reply_keys[i].key);

      if (text != NULL)
        provider->replies[reply_keys[i].reply] = g_utf8_strdown (text, -1);
    }
  return g_steal_pointer (&provider);
}

GPtrArray *
pf_provider_table_parse (GKeyFile  *file,
                         GError   **error)
{
  g_autoptr(GPtrArray) table = g_ptr_array_new_with_free_func ((GDestroyNotify) pf_provider_unref);
  g_autoptr(GHashTable) domains = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) groups = NULL;

  g_return_val_if_fail (file != NULL, NULL);

  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      PfProvider *provider = parse_provider (file, groups[i], error);

      if (provider == NULL)
        return NULL;
      g_ptr_array_add (table, provider);

      /* One domain, one provider: otherwise the lookup would depend on
       * the order of the file. */
      for (guint pass = 0; pass < 2; pass++)
        {
          char **names = pass == 0 ? provider->domains : provider->aliases;

          for (guint j = 0; names[j] != NULL; j++)
            {
              PfProvider *owner = g_hash_table_lookup (domains, names[j]);

              if (owner != NULL)
                {
                  g_set_error (error, PF_ERROR, PF_ERROR_CONFIG,
                               "Provider table: %s belongs to both [%s] and [%s].",
                               names[j], owner->id, provider->id);
                  return NULL;
                }
              g_hash_table_insert (domains, names[j], provider);
            }
        }
    }
  return g_steal_pointer (&table);
}

GBytes *
pf_provider_table_dup_data (void)
{
  g_autoptr(GError) error = NULL;
  /* Named explicitly: a resource in a static library registered only by
   * a constructor may be dropped by the linker. */
  GBytes *data = g_resource_lookup_data (pf_detect_get_resource (), TABLE_RESOURCE,
                                         G_RESOURCE_LOOKUP_FLAGS_NONE, &error);

  if (data == NULL)
    g_error ("The provider table is not compiled in: %s", error->message);
  return data;
}

GPtrArray *
pf_provider_table_get (void)
{
  static GPtrArray *table;
  static gsize loaded;

  if (g_once_init_enter (&loaded))
    {
      g_autoptr(GBytes) data = pf_provider_table_dup_data ();
      g_autoptr(GKeyFile) file = g_key_file_new ();
      g_autoptr(GError) error = NULL;
      GPtrArray *parsed = NULL;

      /* The table is part of the program: a broken one is a build bug,
       * caught by the tests. */
      if (!g_key_file_load_from_bytes (file, data, G_KEY_FILE_KEEP_TRANSLATIONS, &error) ||
          (parsed = pf_provider_table_parse (file, &error)) == NULL)
        g_error ("The compiled-in provider table is invalid: %s", error->message);
      table = parsed;
      g_once_init_leave (&loaded, 1);
    }
  return table;
}

/* ---- Lookups ------------------------------------------------------------ */

PfProvider *
pf_provider_table_lookup_domain (GPtrArray  *table,
                                 const char *domain_or_address)
{
  const char *at;
  g_autofree char *domain = NULL;

  g_return_val_if_fail (table != NULL, NULL);

  if (domain_or_address == NULL)
    return NULL;
  at = strrchr (domain_or_address, '@');
  domain = normalize_name (at != NULL ? at + 1 : domain_or_address);
  if (*domain == '\0')
    return NULL;
  for (guint i = 0; i < table->len; i++)
    {
      PfProvider *provider = table->pdata[i];

      if (g_strv_contains ((const char * const *) provider->domains, domain) ||
          g_strv_contains ((const char * const *) provider->aliases, domain))
        return provider;
    }
  return NULL;
}

PfProvider *
pf_provider_table_lookup_mx (GPtrArray  *table,
                             const char *mx_host)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (table != NULL, NULL);

  if (mx_host == NULL)
    return NULL;
  name = normalize_name (mx_host);
  if (*name == '\0')
    return NULL;
  for (guint i = 0; i < table->len; i++)
    {
      PfProvider *provider = table->pdata[i];

      for (guint j = 0; j < provider->mx_specs->len; j++)
        if (g_pattern_spec_match_string (provider->mx_specs->pdata[j], name))
          return provider;
    }
  return NULL;
}

/* TRUE when @name is @domain or a name under it; both normalised. */
static gboolean
name_is_under (const char *name,
               const char *domain)
{
  gsize name_len = strlen (name);
  gsize domain_len = strlen (domain);

  if (name_len == domain_len)
    return strcmp (name, domain) == 0;
  return name_len > domain_len &&
         name[name_len - domain_len - 1] == '.' &&
         strcmp (name + name_len - domain_len, domain) == 0;
}

PfProvider *
pf_provider_table_lookup_server (GPtrArray  *table,
                                 const char *host)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (table != NULL, NULL);

  if (host == NULL)
    return NULL;
  name = normalize_name (host);
  if (*name == '\0')
    return NULL;
  for (guint i = 0; i < table->len; i++)
    if (pf_provider_has_server (table->pdata[i], name))
      return table->pdata[i];
  for (guint i = 0; i < table->len; i++)
    {
      PfProvider *provider = table->pdata[i];

      for (guint j = 0; provider->domains[j] != NULL; j++)
        if (name_is_under (name, provider->domains[j]))
          return provider;
      for (guint j = 0; provider->aliases[j] != NULL; j++)
        if (name_is_under (name, provider->aliases[j]))
          return provider;
    }
  return NULL;
}

PfProvider *
pf_provider_lookup_id (const char *id)
{
  GPtrArray *table = pf_provider_table_get ();

  if (id == NULL)
    return NULL;
  for (guint i = 0; i < table->len; i++)
    if (strcmp (((PfProvider *) table->pdata[i])->id, id) == 0)
      return table->pdata[i];
  return NULL;
}

PfProvider *
pf_provider_lookup_domain (const char *domain_or_address)
{
  return pf_provider_table_lookup_domain (pf_provider_table_get (), domain_or_address);
}

PfProvider *
pf_provider_lookup_mx (const char *mx_host)
{
  return pf_provider_table_lookup_mx (pf_provider_table_get (), mx_host);
}

PfProvider *
pf_provider_lookup_server (const char *host)
{
  return pf_provider_table_lookup_server (pf_provider_table_get (), host);
}
