/* pf-account-store.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <glib/gi18n.h>

#include "pf-account-store.h"
#include "pf-error.h"
#include "pf-paths.h"

#define GROUP_PREFIX "Account "

struct _PfAccountStore
{
  GObject     parent_instance;

  char       *path;
  GListStore *accounts;
  /* Only a store whose file parsed may write it. */
  gboolean    loaded;
  /* SHA-256 of the file as last read or written (NULL: there was none), so
   * a save never overwrites what another program wrote meanwhile. */
  char       *digest;
};

G_DEFINE_FINAL_TYPE (PfAccountStore, pf_account_store, G_TYPE_OBJECT)

static void
pf_account_store_finalize (GObject *object)
{
  PfAccountStore *self = (PfAccountStore *)object;

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->digest, g_free);
  g_clear_object (&self->accounts);

  G_OBJECT_CLASS (pf_account_store_parent_class)->finalize (object);
}

static void
pf_account_store_class_init (PfAccountStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pf_account_store_finalize;
}

static void
pf_account_store_init (PfAccountStore *self)
{
  self->accounts = g_list_store_new (PF_TYPE_ACCOUNT);
}

char *
pf_account_store_default_path (void)
{
  g_autofree char *dir = pf_paths_config_dir ();

  return g_build_filename (dir, "accounts.ini", NULL);
}

PfAccountStore *
pf_account_store_new (const char *path)
{
  PfAccountStore *self = g_object_new (PF_TYPE_ACCOUNT_STORE, NULL);

  self->path = path != NULL ? g_strdup (path) : pf_account_store_default_path ();
  return self;
}

const char *
pf_account_store_get_path (PfAccountStore *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_STORE (self), NULL);

  return self->path;
}

GListModel *
pf_account_store_get_accounts (PfAccountStore *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_STORE (self), NULL);

  return G_LIST_MODEL (self->accounts);
}

static gboolean
find_account (PfAccountStore *self,
              const char     *name,
              guint          *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PfAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      if (g_strcmp0 (pf_account_get_name (account), name) == 0)
        {
          if (position != NULL)
            *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

PfAccount *
pf_account_store_lookup (PfAccountStore *self,
                         const char     *name)
{
  PfAccount *account;
  guint position;

  g_return_val_if_fail (PF_IS_ACCOUNT_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (!find_account (self, name, &position))
    return NULL;
  /* The list store keeps its reference: hand out a borrowed pointer. */
  account = g_list_model_get_item (G_LIST_MODEL (self->accounts), position);
  g_object_unref (account);
  return account;
}

static gboolean
name_taken_error (const char  *name,
                  GError     **error)
{
  g_set_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
               _("An account called “%s” already exists"), name);
  return FALSE;
}

gboolean
pf_account_store_add (PfAccountStore  *self,
                      PfAccount       *account,
                      GError         **error)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (PF_IS_ACCOUNT (account), FALSE);

  if (!pf_account_validate (account, error))
    return FALSE;
  if (find_account (self, pf_account_get_name (account), NULL))
    return name_taken_error (pf_account_get_name (account), error);

  g_list_store_append (self->accounts, account);
  return TRUE;
}

gboolean
pf_account_store_replace (PfAccountStore  *self,
                          const char      *name,
                          PfAccount       *account,
                          GError         **error)
{
  guint position;
  const char *new_name;

  g_return_val_if_fail (PF_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (PF_IS_ACCOUNT (account), FALSE);

  if (!find_account (self, name, &position))
    {
      g_set_error (error, PF_ERROR, PF_ERROR_CONFIG,
                   _("There is no account called “%s”"), name);
      return FALSE;
    }
  if (!pf_account_validate (account, error))
    return FALSE;
  new_name = pf_account_get_name (account);
  if (g_strcmp0 (new_name, name) != 0 && find_account (self, new_name, NULL))
    return name_taken_error (new_name, error);

  /* The default Maildir is named after the account. A renamed account
   * keeps the folder its mail is already in, so new mail does not start
   * a second folder beside it (and a mail reader pointed at it goes on
   * seeing everything); without mail yet, the new name's folder it is. */
  if (g_strcmp0 (new_name, name) != 0 && pf_account_get_maildir (account) == NULL)
    {
      g_autoptr(PfAccount) old = g_list_model_get_item (G_LIST_MODEL (self->accounts), position);
      g_autofree char *folder = NULL;

      if (pf_account_get_maildir (old) == NULL)
        {
          folder = pf_account_dup_effective_maildir (old);
          if (g_file_test (folder, G_FILE_TEST_IS_DIR))
            pf_account_set_maildir (account, folder);
        }
    }

  g_list_store_splice (self->accounts, position, 1, (gpointer *) &account, 1);
  return TRUE;
}

gboolean
pf_account_store_remove (PfAccountStore *self,
                         const char     *name)
{
  guint position;

  g_return_val_if_fail (PF_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!find_account (self, name, &position))
    return FALSE;
  g_list_store_remove (self->accounts, position);
  return TRUE;
}

/* Parsing ---------------------------------------------------------------- */

/* GKeyFile says what is wrong with a line but not where it is: find the
 * first line that is not blank, a comment, a [group] or a key=value. */
static guint
first_malformed_line (const char *data,
                      gsize       length)
{
  const char *p = data;
  const char *end = data + length;
  guint line = 1;

  while (p < end)
    {
      const char *eol = memchr (p, '\n', end - p);
      const char *stop = eol != NULL ? eol : end;
      g_autofree char *text = g_strndup (p, stop - p);

      g_strstrip (text);
      if (*text != '\0' && *text != '#')
        {
          if (*text == '[')
            {
              if (text[strlen (text) - 1] != ']')
                return line;
            }
          else if (strchr (text, '=') == NULL || *text == '=')
            return line;
        }
      if (eol == NULL)
        break;
      p = eol + 1;
      line++;
    }
  return 0;
}

/* GKeyFile merges a repeated [Account X] into the first and keeps the last
 * of a repeated key, silently: a second section of the same name would
 * change an account's server behind the user's back. Find the first
 * repetition in the text itself, where the line numbers are. On a hit,
 * *@line and *@first_line are where it repeats and where it first was, and
 * *@key is NULL for a section or the repeated key. */
static char *
first_repetition (const char *data,
                  gsize       length,
                  guint      *line,
                  guint      *first_line,
                  char      **key)
{
  g_autoptr(GHashTable) sections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *section = NULL;
  const char *p = data;
  const char *end = data + length;
  guint n = 1;

  *key = NULL;
  while (p < end)
    {
      const char *eol = memchr (p, '\n', end - p);
      const char *stop = eol != NULL ? eol : end;
      g_autofree char *text = g_strstrip (g_strndup (p, stop - p));
      char *close;
      char *equals;

      if (*text == '[' && (close = strrchr (text, ']')) != NULL)
        {
          g_free (section);
          section = g_strndup (text + 1, close - text - 1);
          if (g_hash_table_contains (sections, section))
            {
              *line = n;
              *first_line = GPOINTER_TO_UINT (g_hash_table_lookup (sections, section));
              return g_steal_pointer (&section);
            }
          g_hash_table_insert (sections, g_strdup (section), GUINT_TO_POINTER (n));
          g_hash_table_remove_all (keys);
        }
      else if (section != NULL && *text != '#' && (equals = strchr (text, '=')) != NULL)
        {
          char *name;

          *equals = '\0';
          name = g_strchomp (text);
          if (g_hash_table_contains (keys, name))
            {
              *line = n;
              *first_line = GPOINTER_TO_UINT (g_hash_table_lookup (keys, name));
              *key = g_strdup (name);
              return g_steal_pointer (&section);
            }
          g_hash_table_insert (keys, g_strdup (name), GUINT_TO_POINTER (n));
        }
      if (eol == NULL)
        break;
      p = eol + 1;
      n++;
    }
  return NULL;
}

static const char * const known_keys[] = {
  "address", "host", "port", "security", "user", "mechanism", "maildir",
  "policy", "delete-after-days", "max-size", "pinned-sha256", "ca-file",
  "allow-plaintext", "interval", "delete-on-server", "auth", "oauth2-source",
  "goa-account-id", "oauth2-authorize-url", "oauth2-token-url", "oauth2-device-url",
  "oauth2-client-id", "oauth2-scope", NULL
};

/* The OAuth2 string keys and their setters, read and written alike. */
static const struct
{
  const char  *key;
  void       (*set) (PfAccount *self, const char *value);
  const char *(*get) (PfAccount *self);
} oauth2_keys[] = {
  { "oauth2-source", pf_account_set_oauth2_source, pf_account_get_oauth2_source },
  { "goa-account-id", pf_account_set_goa_account_id, pf_account_get_goa_account_id },
  { "oauth2-authorize-url", pf_account_set_oauth2_authorize_url, pf_account_get_oauth2_authorize_url },
  { "oauth2-token-url", pf_account_set_oauth2_token_url, pf_account_get_oauth2_token_url },
  { "oauth2-device-url", pf_account_set_oauth2_device_url, pf_account_get_oauth2_device_url },
  { "oauth2-client-id", pf_account_set_oauth2_client_id, pf_account_get_oauth2_client_id },
  { "oauth2-scope", pf_account_set_oauth2_scope, pf_account_get_oauth2_scope },
};

static gboolean
config_error (GError     **error,
              const char  *filename,
              const char  *group,
              const char  *format,
              ...) G_GNUC_PRINTF (4, 5);

static gboolean
config_error (GError     **error,
              const char  *filename,
              const char  *group,
              const char  *format,
              ...)
{
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  if (group != NULL)
    g_set_error (error, PF_ERROR, PF_ERROR_CONFIG,
                 /* Translators: file, section, problem */
                 _("%s, section [%s]: %s"), filename, group, detail);
  else
    g_set_error (error, PF_ERROR, PF_ERROR_CONFIG, "%s: %s", filename, detail);
  return FALSE;
}

static gboolean
read_uint (GKeyFile    *keyfile,
           const char  *group,
           const char  *key,
           guint64      max,
           guint64     *out,
           const char  *filename,
           GError     **error)
{
  g_autofree char *text = g_key_file_get_string (keyfile, group, key, NULL);
  g_autoptr(GError) local_error = NULL;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (g_strstrip (text), 10, 0, max, out, &local_error))
    return config_error (error, filename, group, _("%s: %s"), key, local_error->message);
  return TRUE;
}

static PfAccount *
parse_account (GKeyFile    *keyfile,
               const char  *group,
               const char  *filename,
               GError     **error)
{
  g_autoptr(PfAccount) account = NULL;
  g_auto(GStrv) keys = NULL;
  g_autofree char *security = NULL;
  g_autofree char *mechanism = NULL;
  g_autofree char *policy = NULL;
  g_autofree char *allow = NULL;
  g_autofree char *address = NULL;
  g_autofree char *host = NULL;
  g_autofree char *user = NULL;
  g_autofree char *maildir = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *ca_file = NULL;
  g_autoptr(GError) local_error = NULL;
  guint64 value;

  account = pf_account_new (group + strlen (GROUP_PREFIX));

  keys = g_key_file_get_keys (keyfile, group, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    if (!g_strv_contains (known_keys, keys[i]))
      {
        config_error (error, filename, group, _("unknown key “%s”"), keys[i]);
        return NULL;
      }

  address = g_key_file_get_string (keyfile, group, "address", NULL);
  host = g_key_file_get_string (keyfile, group, "host", NULL);
  user = g_key_file_get_string (keyfile, group, "user", NULL);
  maildir = g_key_file_get_string (keyfile, group, "maildir", NULL);
  pin = g_key_file_get_string (keyfile, group, "pinned-sha256", NULL);
  ca_file = g_key_file_get_string (keyfile, group, "ca-file", NULL);
  pf_account_set_address (account, address);
  pf_account_set_host (account, host);
  pf_account_set_user (account, user != NULL ? user : address);
  pf_account_set_maildir (account, maildir);
  pf_account_set_pinned_fingerprint (account, pin);
  pf_account_set_ca_file (account, ca_file);

  security = g_key_file_get_string (keyfile, group, "security", NULL);
  if (security != NULL)
    {
      PfSecurity s;

      if (!pf_security_from_string (g_strstrip (security), &s))
        {
          config_error (error, filename, group,
                        _("security must be tls, starttls or none, not “%s”"), security);
          return NULL;
        }
      pf_account_set_security (account, s);
      pf_account_set_port (account, s == PF_SECURITY_TLS ? 995 : 110);
    }

  if (!read_uint (keyfile, group, "port", 65535, &value, filename, error))
    return NULL;
  if (g_key_file_has_key (keyfile, group, "port", NULL))
    pf_account_set_port (account, (guint) value);

  mechanism = g_key_file_get_string (keyfile, group, "mechanism", NULL);
  if (mechanism != NULL)
    {
      PfAuthMechanism m;

      if (!pf_auth_mechanism_from_string (g_strstrip (mechanism), &m))
        {
          config_error (error, filename, group,
                        _("unknown authentication mechanism “%s”"), mechanism);
          return NULL;
        }
      pf_account_set_mechanism (account, m);
    }

  policy = g_key_file_get_string (keyfile, group, "policy", NULL);
  if (policy != NULL)
    {
      int p;

      if (!pf_enum_from_nick (PF_TYPE_FETCH_POLICY, g_strstrip (policy), &p))
        {
          config_error (error, filename, group,
                        _("policy must be keep, delete or delete-after, not “%s”"), policy);
          return NULL;
        }
      pf_account_set_policy (account, p);
    }

  value = 0;
  if (!read_uint (keyfile, group, "delete-after-days", PF_ACCOUNT_DAYS_MAX, &value, filename, error))
    return NULL;
  pf_account_set_delete_after_days (account, (guint) value);

  value = 0;
  if (!read_uint (keyfile, group, "max-size", G_MAXUINT64, &value, filename, error))
    return NULL;
  pf_account_set_max_size (account, value);

  value = 0;
  if (!read_uint (keyfile, group, "interval", PF_ACCOUNT_INTERVAL_MAX, &value, filename, error))
    return NULL;
  pf_account_set_interval (account, (guint) value);

  allow = g_key_file_get_string (keyfile, group, "allow-plaintext", NULL);
  if (allow != NULL)
    {
      g_strstrip (allow);
      if (strcmp (allow, "true") != 0 && strcmp (allow, "false") != 0)
        {
          config_error (error, filename, group,
                        _("allow-plaintext must be true or false, not “%s”"), allow);
          return NULL;
        }
      pf_account_set_allow_plaintext (account, strcmp (allow, "true") == 0);
    }

  g_clear_pointer (&allow, g_free);
  allow = g_key_file_get_string (keyfile, group, "delete-on-server", NULL);
  if (allow != NULL)
    {
      g_strstrip (allow);
      if (strcmp (allow, "true") != 0 && strcmp (allow, "false") != 0)
        {
          config_error (error, filename, group,
                        _("delete-on-server must be true or false, not “%s”"), allow);
          return NULL;
        }
      pf_account_set_delete_on_server (account, strcmp (allow, "true") == 0);
    }

  g_clear_pointer (&allow, g_free);
  allow = g_key_file_get_string (keyfile, group, "auth", NULL);
  if (allow != NULL)
    {
      int auth;

      if (!pf_enum_from_nick (PF_TYPE_ACCOUNT_AUTH, g_strstrip (allow), &auth))
        {
          config_error (error, filename, group,
                        _("auth must be password or oauth2, not “%s”"), allow);
          return NULL;
        }
      pf_account_set_auth (account, auth);
    }
  for (guint i = 0; i < G_N_ELEMENTS (oauth2_keys); i++)
    {
      g_autofree char *text = g_key_file_get_string (keyfile, group, oauth2_keys[i].key, NULL);

      if (text != NULL)
        oauth2_keys[i].set (account, g_strstrip (text));
    }

  if (!pf_account_validate (account, &local_error))
    {
      config_error (error, filename, NULL, "%s", local_error->message);
      return NULL;
    }

  return g_steal_pointer (&account);
}

GPtrArray *
pf_account_store_parse (const char  *data,
                        gsize        length,
                        const char  *filename,
                        GError     **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) groups = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (filename == NULL)
    filename = "accounts.ini";

  if (!g_utf8_validate (data, length, NULL))
    {
      config_error (error, filename, NULL, _("the file is not valid UTF-8 text"));
      return NULL;
    }

  if (!g_key_file_load_from_data (keyfile, data, length, G_KEY_FILE_KEEP_COMMENTS, &local_error))
    {
      guint line = first_malformed_line (data, length);

      if (line > 0)
        config_error (error, filename, NULL,
                      /* Translators: line number, then GKeyFile's message */
                      _("line %u: %s"), line, local_error->message);
      else
        config_error (error, filename, NULL, "%s", local_error->message);
      return NULL;
    }

  {
    guint line = 0, first_line = 0;
    g_autofree char *key = NULL;
    g_autofree char *section = first_repetition (data, length, &line, &first_line, &key);

    if (section != NULL && key == NULL)
      {
        config_error (error, filename, NULL,
                      /* Translators: line number, section name, line number */
                      _("line %u: the section [%s] appears a second time (first on line %u); "
                        "give each account one section"),
                      line, section, first_line);
        return NULL;
      }
    if (section != NULL)
      {
        config_error (error, filename, section,
                      /* Translators: line number, key name, line number */
                      _("line %u: the key %s appears a second time (first on line %u)"),
                      line, key, first_line);
        return NULL;
      }
  }

  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      PfAccount *account;

      if (!g_str_has_prefix (groups[i], GROUP_PREFIX))
        {
          config_error (error, filename, groups[i],
                        _("unknown section; accounts are sections called [Account NAME]"));
          return NULL;
        }

      account = parse_account (keyfile, groups[i], filename, error);
      if (account == NULL)
        return NULL;

      g_ptr_array_add (accounts, account);
    }

  return g_steal_pointer (&accounts);
}

char *
pf_account_store_serialize (GListModel *accounts,
                            gsize      *length)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  guint n;

  g_return_val_if_fail (G_IS_LIST_MODEL (accounts), NULL);

  n = g_list_model_get_n_items (accounts);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PfAccount) account = g_list_model_get_item (accounts, i);
      g_autofree char *group = g_strconcat (GROUP_PREFIX, pf_account_get_name (account), NULL);
      const char *value;

      g_key_file_set_string (keyfile, group, "address", pf_account_get_address (account));
      g_key_file_set_string (keyfile, group, "host", pf_account_get_host (account));
      g_key_file_set_uint64 (keyfile, group, "port", pf_account_get_port (account));
      g_key_file_set_string (keyfile, group, "security",
                             pf_security_to_string (pf_account_get_security (account)));
      g_key_file_set_string (keyfile, group, "user", pf_account_get_user (account));
      g_key_file_set_string (keyfile, group, "mechanism",
                             pf_auth_mechanism_to_string (pf_account_get_mechanism (account)));
      if ((value = pf_account_get_maildir (account)) != NULL)
        g_key_file_set_string (keyfile, group, "maildir", value);
      g_key_file_set_string (keyfile, group, "policy",
                             pf_enum_to_nick (PF_TYPE_FETCH_POLICY, pf_account_get_policy (account)));
      if (pf_account_get_policy (account) == PF_FETCH_DELETE_AFTER_DAYS)
        g_key_file_set_uint64 (keyfile, group, "delete-after-days",
                               pf_account_get_delete_after_days (account));
      if (pf_account_get_max_size (account) > 0)
        g_key_file_set_uint64 (keyfile, group, "max-size", pf_account_get_max_size (account));
      if ((value = pf_account_get_pinned_fingerprint (account)) != NULL)
        g_key_file_set_string (keyfile, group, "pinned-sha256", value);
      if ((value = pf_account_get_ca_file (account)) != NULL)
        g_key_file_set_string (keyfile, group, "ca-file", value);
      if (pf_account_get_allow_plaintext (account))
        g_key_file_set_boolean (keyfile, group, "allow-plaintext", TRUE);
      if (pf_account_get_delete_on_server (account))
        g_key_file_set_boolean (keyfile, group, "delete-on-server", TRUE);
      g_key_file_set_uint64 (keyfile, group, "interval", pf_account_get_interval (account));
      if (pf_account_get_auth (account) != PF_ACCOUNT_AUTH_PASSWORD)
        g_key_file_set_string (keyfile, group, "auth",
                               pf_enum_to_nick (PF_TYPE_ACCOUNT_AUTH, pf_account_get_auth (account)));
      for (guint k = 0; k < G_N_ELEMENTS (oauth2_keys); k++)
        if ((value = oauth2_keys[k].get (account)) != NULL)
          g_key_file_set_string (keyfile, group, oauth2_keys[k].key, value);
    }

  {
    g_autofree char *body = g_key_file_to_data (keyfile, NULL, NULL);
    char *data = g_strconcat ("# Popfetch accounts. Passwords are kept in the keyring, never here.\n",
                              n > 0 ? "\n" : "", body, NULL);

    if (length != NULL)
      *length = strlen (data);
    return data;
  }
}

/* Atomic write ------------------------------------------------------------ */

/* What an atomic write or the save lock was doing when it failed: a whole
 * sentence each, for translators. */
typedef enum
{
  STORE_CREATE,
  STORE_WRITE,
  STORE_REPLACE,
  STORE_OPEN,
  STORE_SYNC,
  STORE_LOCK,
} StoreOperation;

static GError *
store_error_new (StoreOperation  operation,
                 const char     *path,
                 int             saved_errno)
{
  GIOErrorEnum code = g_io_error_from_errno (saved_errno);
  const char *reason = g_strerror (saved_errno);

  /* Translators: the first %s is a file or folder, the second why it
   * failed ("Permission denied"). */
  switch (operation)
    {
    case STORE_CREATE:
      return g_error_new (G_IO_ERROR, code, _("Cannot create %s: %s"), path, reason);
    case STORE_WRITE:
      return g_error_new (G_IO_ERROR, code, _("Cannot write %s: %s"), path, reason);
    case STORE_REPLACE:
      return g_error_new (G_IO_ERROR, code, _("Cannot replace %s: %s"), path, reason);
    case STORE_OPEN:
      return g_error_new (G_IO_ERROR, code, _("Cannot open %s: %s"), path, reason);
    case STORE_SYNC:
      return g_error_new (G_IO_ERROR, code, _("Cannot save %s to disk: %s"), path, reason);
    case STORE_LOCK:
      return g_error_new (G_IO_ERROR, code, _("Cannot lock %s: %s"), path, reason);
    default:
      g_assert_not_reached ();
    }
}

static gboolean
io_error (GError         **error,
          const char      *path,
          StoreOperation   operation,
          int              saved_errno)
{
  g_propagate_error (error, store_error_new (operation, path, saved_errno));
  return FALSE;
}

gboolean
pf_write_file_atomically (const char  *path,
                          const char  *data,
                          gsize        length,
                          GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmp_path = NULL;
  gsize written = 0;
  int fd;
  int dir_fd;

  g_return_val_if_fail (path != NULL, FALSE);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    return io_error (error, dir, STORE_CREATE, errno);

  tmp_path = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return io_error (error, tmp_path, STORE_CREATE, errno);

  while (written < length)
    {
      gssize n = write (fd, data + written, length - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          close (fd);
          g_unlink (tmp_path);
          return io_error (error, tmp_path, STORE_WRITE, saved_errno);
        }
      written += n;
    }

  if (fsync (fd) != 0 || close (fd) != 0)
    {
      int saved_errno = errno;

      g_unlink (tmp_path);
      return io_error (error, tmp_path, STORE_WRITE, saved_errno);
    }

  if (g_rename (tmp_path, path) != 0)
    {
      int saved_errno = errno;

      g_unlink (tmp_path);
      return io_error (error, path, STORE_REPLACE, saved_errno);
    }

  /* The rename is durable only once the directory entry is. */
  dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0)
    return io_error (error, dir, STORE_OPEN, errno);
  if (fsync (dir_fd) != 0)
    {
      int saved_errno = errno;

      close (dir_fd);
      return io_error (error, dir, STORE_SYNC, saved_errno);
    }
  close (dir_fd);
  return TRUE;
}

/* Async load and save ------------------------------------------------------ */

#define STALE_TEMP_AGE_SECONDS (10 * 60)

/* A save killed between creating its temporary file and the rename leaves
 * ".accounts.ini.XXXXXX" behind; remove those old enough that no save can
 * still be writing them. */
static void
remove_stale_temporaries (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *prefix = g_strdup_printf (".%s.", base);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *full = NULL;
      GStatBuf st;

      if (!g_str_has_prefix (name, prefix) || strlen (name) != strlen (prefix) + 6)
        continue;
      full = g_build_filename (dir, name, NULL);
      if (g_lstat (full, &st) == 0 && S_ISREG (st.st_mode)
          && now - (gint64) st.st_mtime > STALE_TEMP_AGE_SECONDS)
        g_unlink (full);
    }
}

typedef struct
{
  GPtrArray *accounts;
  char      *digest;
} Loaded;

static void
loaded_free (Loaded *loaded)
{
  g_clear_pointer (&loaded->accounts, g_ptr_array_unref);
  g_free (loaded->digest);
  g_free (loaded);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *path = task_data;
  g_autofree char *data = NULL;
  g_autofree char *display = g_filename_display_name (path);
  g_autoptr(GError) error = NULL;
  Loaded *loaded;
  gsize length = 0;

  remove_stale_temporaries (path);

  if (!g_file_get_contents (path, &data, &length, &error))
    {
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          loaded = g_new0 (Loaded, 1);
          loaded->accounts = g_ptr_array_new_with_free_func (g_object_unref);
          g_task_return_pointer (task, loaded, (GDestroyNotify) loaded_free);
          return;
        }
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_CONFIG, "%s", error->message);
      return;
    }

  loaded = g_new0 (Loaded, 1);
  loaded->accounts = pf_account_store_parse (data, length, display, &error);
  if (loaded->accounts == NULL)
    {
      loaded_free (loaded);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  loaded->digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
  g_task_return_pointer (task, loaded, (GDestroyNotify) loaded_free);
}

void
pf_account_store_load_async (PfAccountStore      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PF_IS_ACCOUNT_STORE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_account_store_load_async);
  g_task_set_task_data (task, g_strdup (self->path), g_free);
  g_task_run_in_thread (task, load_thread);
}

gboolean
pf_account_store_load_finish (PfAccountStore  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  Loaded *loaded;

  g_return_val_if_fail (PF_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_account_store_load_async, FALSE);

  loaded = g_task_propagate_pointer (G_TASK (result), error);
  if (loaded == NULL)
    {
      self->loaded = FALSE;
      return FALSE;
    }

  g_list_store_splice (self->accounts, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->accounts)),
                       loaded->accounts->pdata, loaded->accounts->len);
  g_free (self->digest);
  self->digest = g_steal_pointer (&loaded->digest);
  self->loaded = TRUE;
  loaded_free (loaded);
  return TRUE;
}

typedef struct
{
  char  *path;
  char  *data;
  gsize  length;
  char  *expected_digest;   /* the file must still be this (NULL: absent) */
  char  *new_digest;
} SaveData;

static void
save_data_free (SaveData *save)
{
  g_free (save->path);
  g_free (save->data);
  g_free (save->expected_digest);
  g_free (save->new_digest);
  g_free (save);
}

/* Under the lock every Popfetch save takes: is the file still what this
 * store read? */
static gboolean
file_unchanged (const char  *path,
                const char  *expected_digest,
                GError     **error)
{
  g_autofree char *data = NULL;
  g_autofree char *digest = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_set_error (error, PF_ERROR, PF_ERROR_CONFIG, "%s", local_error->message);
          return FALSE;
        }
    }
  else
    digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);

  if (g_strcmp0 (digest, expected_digest) != 0)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, PF_ERROR, PF_ERROR_CONFIG,
                   _("%s was changed by another program since Popfetch read it; "
                     "nothing was saved, so that change is kept. Try again."),
                   display);
      return FALSE;
    }
  return TRUE;
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *save = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (save->path);
  g_autofree char *base = g_path_get_basename (save->path);
  g_autofree char *lock_path = g_strdup_printf ("%s/.%s.lock", dir, base);
  gboolean ok;
  int lock_fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_task_return_error (task, store_error_new (STORE_CREATE, dir, saved_errno));
      return;
    }
  /* Saves by several Popfetch processes take turns; the lock goes with the
   * descriptor, also when the process dies. */
  lock_fd = open (lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (lock_fd < 0 || flock (lock_fd, LOCK_EX) != 0)
    {
      int saved_errno = errno;

      if (lock_fd >= 0)
        close (lock_fd);
      g_task_return_error (task, store_error_new (STORE_LOCK, lock_path, saved_errno));
      return;
    }

  ok = file_unchanged (save->path, save->expected_digest, &error)
       && pf_write_file_atomically (save->path, save->data, save->length, &error);
  close (lock_fd);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
pf_account_store_save_async (PfAccountStore      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SaveData *save;

  g_return_if_fail (PF_IS_ACCOUNT_STORE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_account_store_save_async);

  if (!self->loaded)
    {
      g_autofree char *display = g_filename_display_name (self->path);

      g_task_return_new_error (task, PF_ERROR, PF_ERROR_CONFIG,
                               _("%s was not read successfully, so Popfetch will not "
                                 "overwrite it; fix or move the file first"),
                               display);
      return;
    }

  /* Snapshot on this thread; only the bytes travel to the worker. */
  save = g_new0 (SaveData, 1);
  save->path = g_strdup (self->path);
  save->data = pf_account_store_serialize (G_LIST_MODEL (self->accounts), &save->length);
  save->expected_digest = g_strdup (self->digest);
  save->new_digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) save->data,
                                                  save->length);
  /* A save started before this one finishes expects this one's result. */
  g_free (self->digest);
  self->digest = g_strdup (save->new_digest);
  g_task_set_task_data (task, save, (GDestroyNotify) save_data_free);
  g_task_run_in_thread (task, save_thread);
}

gboolean
pf_account_store_save_finish (PfAccountStore  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_account_store_save_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    {
      SaveData *save = g_task_get_task_data (G_TASK (result));

      /* Nothing was written: unless a later save took over, the file is
       * still what it was before. */
      if (save != NULL && g_strcmp0 (self->digest, save->new_digest) == 0)
        {
          g_free (self->digest);
          self->digest = g_strdup (save->expected_digest);
        }
      return FALSE;
    }
  return TRUE;
}
