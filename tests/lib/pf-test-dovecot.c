/* pf-test-dovecot.c — a private instance of the real Dovecot for tests
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "pf-test-certs.h"
#include "pf-test-dovecot.h"
#include "pf-test-util.h"

#define START_TIMEOUT_MS 15000

struct _PfTestDovecot
{
  char         *dir;
  char         *passwd_dir;
  char         *ca_file;
  GTlsDatabase *database;
  GSubprocess  *process;
  GHashTable   *users;
  guint16       port;
  guint16       tls_port;
  uid_t         mail_uid;
  gid_t         mail_gid;
  guint         delivered;
};

static const char * const default_cert_names[] = { "localhost", "127.0.0.1", "::1", NULL };

static guint16
find_free_port (GError **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL || !g_socket_bind (socket, address, FALSE, error))
    return 0;
  bound = g_socket_get_local_address (socket, error);
  if (bound == NULL)
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
chown_to_mail_user (PfTestDovecot  *self,
                    const char     *path,
                    GError        **error)
{
  if (geteuid () != 0)
    return TRUE;
  if (chown (path, self->mail_uid, self->mail_gid) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "chown %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static char *
read_log_tail (PfTestDovecot *self)
{
  g_autofree char *log_path = g_build_filename (self->dir, "dovecot.log", NULL);
  g_autofree char *err_path = g_build_filename (self->dir, "stderr.log", NULL);
  g_autofree char *log = NULL;
  g_autofree char *err = NULL;
  gsize len = 0;

  g_file_get_contents (log_path, &log, &len, NULL);
  if (log != NULL && len > 2000)
    memmove (log, log + len - 2000, 2001);
  g_file_get_contents (err_path, &err, NULL, NULL);
  return g_strdup_printf ("%s%s", err ? err : "", log ? log : "");
}

/* Dovecot's oauth2 passdb settings (read from a file named in its args). */
static gboolean
write_oauth2_config (PfTestDovecot              *self,
                     const PfTestDovecotOptions *options,
                     GError                    **error)
{
  g_autofree char *path = g_build_filename (self->dir, "dovecot-oauth2.conf.ext", NULL);
  g_autofree char *text = NULL;

  text = g_strdup_printf ("# oauth2 passdb for Popfetch tests; written by pf-test-dovecot.c\n"
                          "introspection_mode = post\n"
                          "introspection_url = %s\n"
                          "username_attribute = username\n"
                          "active_attribute = active\n"
                          "active_value = true\n",
                          options->oauth2_introspection_url);
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_NONE, 0644, error);
}

static char *
make_config (PfTestDovecot              *self,
             const PfTestDovecotOptions *options,
             const char                 *cert_file,
             const char                 *key_file)
{
  GString *config = g_string_new (NULL);
  g_autofree char *instance = g_path_get_basename (self->dir);
  gboolean oauth2 = options->oauth2_introspection_url != NULL;
  gboolean password = !oauth2 || !options->oauth2_only;
  g_autoptr(GString) passdbs = NULL;
  const char *mechanisms;

  if (!oauth2)
    mechanisms = "plain login cram-md5 scram-sha-1 scram-sha-256 apop";
  else if (password)
    mechanisms = "plain login cram-md5 scram-sha-1 scram-sha-256 apop xoauth2 oauthbearer";
  else
    mechanisms = "plain login xoauth2 oauthbearer";

  /* A token is checked by the passwd-file passdb first (an unknown user
   * there, or a wrong password, goes on to the next passdb), then by the
   * oauth2 one. */
  passdbs = g_string_new (NULL);
  if (password)
    g_string_append_printf (passdbs,
                            "passdb {\n"
                            "  driver = passwd-file\n"
                            "  args = scheme=PLAIN username_format=%%u %s/%%u\n"
                            "}\n",
                            self->passwd_dir);
  if (oauth2)
    g_string_append_printf (passdbs,
                            "passdb {\n"
                            "  driver = oauth2\n"
                            "  args = %s/dovecot-oauth2.conf.ext\n"
                            "}\n",
                            self->dir);

  g_string_append_printf (config,
    "# Private Dovecot for Popfetch tests; written by pf-test-dovecot.c\n"
    "instance_name = %s\n"
    "base_dir = %s/run\n"
    "state_dir = %s/state\n"
    "log_path = %s/dovecot.log\n"
    "protocols = pop3\n"
    "listen = 127.0.0.1\n"
    "shutdown_clients = yes\n"
    /* No stats service: its handshake delays shutdown by seconds. */
    "stats_writer_socket_path =\n"
    "ssl = yes\n"
    "ssl_cert = <%s\n"
    "ssl_key = <%s\n"
    "disable_plaintext_auth = no\n"
    "auth_mechanisms = %s\n"
    "auth_verbose = yes\n"
    /* Rejected logins answer at once, so auth tests stay fast. */
    "auth_failure_delay = 0\n"

    "first_valid_uid = 1\n"
    "mail_location = maildir:~/Maildir\n"
    "pop3_uidl_format = %%08Xu%%08Xv\n"
    "pop3_lock_session = yes\n"
    "%s"
    "userdb {\n"
    "  driver = static\n"
    "  args = uid=%u gid=%u home=%s/home/%%u\n"
    "}\n"
    /* Failed logins must not slow the next test's login by seconds: the
     * auth process cannot reach anvil's penalty socket, so it keeps no
     * per-IP penalty. */
    "service anvil {\n"
    "  unix_listener anvil-auth-penalty {\n"
    "    mode = 0\n"
    "  }\n"
    "}\n"
    "service pop3-login {\n"
    "  inet_listener pop3 {\n"
    "    address = 127.0.0.1\n"
    "    port = %u\n"
    "  }\n"
    "  inet_listener pop3s {\n"
    "    address = 127.0.0.1\n"
    "    port = %u\n"
    "    ssl = yes\n"
    "  }\n"
    "}\n",
    instance, self->dir, self->dir, self->dir, cert_file, key_file,
    mechanisms, passdbs->str, (guint) self->mail_uid, (guint) self->mail_gid, self->dir,
    self->port, self->tls_port);

  if (g_file_test ("/usr/share/dovecot/dh.pem", G_FILE_TEST_IS_REGULAR))
    g_string_append (config, "ssl_dh = </usr/share/dovecot/dh.pem\n");

  if (geteuid () != 0)
    {
      /* Dovecot as an ordinary user: every service runs as that user, and
       * nothing may chroot. */
      struct passwd *pw = getpwuid (getuid ());
      struct group *gr = getgrgid (getgid ());
      const char *user = pw != NULL ? pw->pw_name : g_get_user_name ();
      const char *group = gr != NULL ? gr->gr_name : user;

      g_string_append_printf (config,
        "default_login_user = %s\n"
        "default_internal_user = %s\n"
        "default_internal_group = %s\n"
        "service anvil {\n  chroot =\n}\n"
        "service pop3-login {\n  chroot =\n}\n"
        "service auth-worker {\n  user = %s\n}\n",
        user, user, group, user);
    }

  return g_string_free (config, FALSE);
}

static void
child_setup (gpointer user_data)
{
  /* Dovecot must not outlive the test, even when the test aborts. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  /* Its own process group, so stop() can end every Dovecot process at
   * once: the master alone waits seconds for its children. */
  setpgid (0, 0);
}

static gboolean
port_answers (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;

  g_socket_client_set_timeout (client, 2);
  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  return connection != NULL;
}

static gboolean
wait_until_listening (PfTestDovecot  *self,
                      GError        **error)
{
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_MS * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      const char *pid = g_subprocess_get_identifier (self->process);

      /* The identifier is NULL once Dovecot has exited. */
      if (pid == NULL)
        break;
      if (port_answers (self->port) && port_answers (self->tls_port))
        return TRUE;
      g_usleep (20 * 1000);
    }

  {
    g_autofree char *log = read_log_tail (self);

    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "Dovecot did not start listening on 127.0.0.1:%u and :%u:\n%s",
                 self->port, self->tls_port, log);
  }
  return FALSE;
}

/* One passwd-file per user (the path holds %u): Dovecot opens a new user's
 * file at the first login, so users added after start work at once. */
static gboolean
write_user_file (PfTestDovecot  *self,
                 const char     *user,
                 const char     *password,
                 GError        **error)
{
  g_autofree char *path = g_build_filename (self->passwd_dir, user, NULL);
  g_autofree char *tmp_path = g_strconcat (path, ".new", NULL);
  g_autofree char *line = g_strdup_printf ("%s:{PLAIN}%s::::::\n", user, password);

  /* Dovecot stats a passwd-file at most once a second and compares its
   * mtime: a changed password must land in a later second. */
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    g_usleep (G_USEC_PER_SEC + 100 * 1000);

  /* Readable by Dovecot's auth process (test passwords only); written
   * aside and renamed, so Dovecot never reads half a file. */
  if (!g_file_set_contents_full (tmp_path, line, -1, G_FILE_SET_CONTENTS_NONE, 0644, error))
    return FALSE;
  if (g_rename (tmp_path, path) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "rename %s: %s", tmp_path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Directories of Dovecots whose test aborted before stop(): no live master
 * and untouched for an hour. Only ours (same owner); the age keeps a test
 * that is just starting safe. */
static void
sweep_stale_dirs (void)
{
  const char *tmp = g_get_tmp_dir ();
  g_autoptr(GDir) dir = g_dir_open (tmp, 0, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *config = NULL;
      g_autofree char *pid_file = NULL;
      g_autofree char *pid_text = NULL;
      GStatBuf st;

      if (!g_str_has_prefix (name, "popfetch-dovecot-") || strlen (name) != strlen ("popfetch-dovecot-XXXXXX"))
        continue;
      path = g_build_filename (tmp, name, NULL);
      config = g_build_filename (path, "dovecot.conf", NULL);
      if (g_stat (config, &st) != 0 || st.st_uid != geteuid () || now - st.st_mtime < 3600)
        continue;
      pid_file = g_build_filename (path, "run", "master.pid", NULL);
      if (g_file_get_contents (pid_file, &pid_text, NULL, NULL))
        {
          gint64 pid = g_ascii_strtoll (pid_text, NULL, 10);

          if (pid > 0 && kill ((pid_t) pid, 0) == 0)
            continue;
        }
      pf_test_remove_tree (path);
    }
}

static PfTestDovecot *
dovecot_start (const PfTestDovecotOptions  *options,
               GError                     **error)
{
  const char * const *cert_names = options->cert_names != NULL ? options->cert_names : default_cert_names;
  g_autoptr(PfTestDovecot) self = g_new0 (PfTestDovecot, 1);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *cert_file = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_file = NULL;
  g_autofree char *stderr_file = NULL;
  g_autofree char *home = NULL;

  if (!g_file_test (PF_TEST_DOVECOT_PROGRAM, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s is not installed", PF_TEST_DOVECOT_PROGRAM);
      return NULL;
    }

  sweep_stale_dirs ();

  self->users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->dir = g_dir_make_tmp ("popfetch-dovecot-XXXXXX", error);
  if (self->dir == NULL)
    return NULL;
  /* Dovecot's unprivileged processes must reach the files below. */
  g_chmod (self->dir, 0755);

  if (geteuid () == 0)
    {
      struct passwd *pw = getpwnam ("nobody");
      struct group *gr = getgrnam ("nogroup");

      self->mail_uid = pw != NULL ? pw->pw_uid : 65534;
      self->mail_gid = gr != NULL ? gr->gr_gid : 65534;
    }
  else
    {
      self->mail_uid = getuid ();
      self->mail_gid = getgid ();
    }

  self->ca_file = g_strdup (pf_test_certs_ca_file ());
  self->database = pf_test_certs_database ();
  cert_file = pf_test_certs_write_server (PF_TEST_CERT_VALID, cert_names, self->dir, &key_file);

  home = g_build_filename (self->dir, "home", NULL);
  if (g_mkdir (home, 0755) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "mkdir %s failed", home);
      return NULL;
    }

  self->passwd_dir = g_build_filename (self->dir, "passwd", NULL);
  if (g_mkdir (self->passwd_dir, 0755) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "mkdir %s failed", self->passwd_dir);
      return NULL;
    }

  self->port = find_free_port (error);
  if (self->port == 0)
    return NULL;
  do
    self->tls_port = find_free_port (error);
  while (self->tls_port == self->port);
  if (self->tls_port == 0)
    return NULL;

  if (options->oauth2_introspection_url != NULL && !write_oauth2_config (self, options, error))
    return NULL;
  config = make_config (self, options, cert_file, key_file);
  config_file = g_build_filename (self->dir, "dovecot.conf", NULL);
  if (!g_file_set_contents (config_file, config, -1, error))
    return NULL;

  stderr_file = g_build_filename (self->dir, "stderr.log", NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, stderr_file);
  g_subprocess_launcher_set_stderr_file_path (launcher, stderr_file);
  self->process = g_subprocess_launcher_spawn (launcher, error,
                                               PF_TEST_DOVECOT_PROGRAM, "-F",
                                               "-c", config_file, NULL);
  if (self->process == NULL)
    return NULL;

  if (!wait_until_listening (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

PfTestDovecot *
pf_test_dovecot_start (GError **error)
{
  PfTestDovecotOptions options = { NULL, };

  return dovecot_start (&options, error);
}

PfTestDovecot *
pf_test_dovecot_start_with_names (const char * const  *cert_names,
                                  GError             **error)
{
  PfTestDovecotOptions options = { NULL, };

  options.cert_names = cert_names;
  return dovecot_start (&options, error);
}

PfTestDovecot *
pf_test_dovecot_start_full (const PfTestDovecotOptions  *options,
                            GError                     **error)
{
  PfTestDovecotOptions defaults = { NULL, };

  g_return_val_if_fail (options == NULL || !options->oauth2_only ||
                        options->oauth2_introspection_url != NULL, NULL);

  return dovecot_start (options != NULL ? options : &defaults, error);
}

PfTestDovecot *
pf_test_dovecot_start_oauth2_or_skip (const char *introspection_url)
{
  g_autoptr(GError) error = NULL;
  PfTestDovecotOptions options = { NULL, };
  PfTestDovecot *self;

  g_return_val_if_fail (introspection_url != NULL, NULL);

  if (!pf_test_require_program (PF_TEST_DOVECOT_PROGRAM, "REQUIRE_DOVECOT"))
    return NULL;

  options.oauth2_introspection_url = introspection_url;
  self = pf_test_dovecot_start_full (&options, &error);
  g_assert_no_error (error);
  return self;
}

PfTestDovecot *
pf_test_dovecot_start_or_skip (void)
{
  g_autoptr(GError) error = NULL;
  PfTestDovecot *self;

  if (!pf_test_require_program (PF_TEST_DOVECOT_PROGRAM, "REQUIRE_DOVECOT"))
    return NULL;

  self = pf_test_dovecot_start (&error);
  g_assert_no_error (error);
  return self;
}

static void
on_waited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

/* Waits on a private main context so the caller's context is not run;
 * sends @signal_number to Dovecot's process group first. */
static gboolean
signal_and_wait (GSubprocess *process,
                 pid_t        group,
                 int          signal_number,
                 guint        timeout_ms)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean done = FALSE;

  g_main_context_push_thread_default (context);
  g_subprocess_wait_async (process, NULL, on_waited, &done);
  kill (-group, signal_number);
  while (!done && g_get_monotonic_time () < deadline)
    {
      while (g_main_context_iteration (context, FALSE))
        ;
      if (!done)
        g_usleep (5 * 1000);
    }
  /* A pending wait must finish on this context before the context goes. */
  if (!done)
    {
      kill (-group, SIGKILL);
      while (!done)
        g_main_context_iteration (context, TRUE);
    }
  g_main_context_pop_thread_default (context);
  return g_get_monotonic_time () < deadline;
}

void
pf_test_dovecot_stop (PfTestDovecot *self)
{
  if (self == NULL)
    return;

  if (self->process != NULL)
    {
      const char *identifier = g_subprocess_get_identifier (self->process);

      if (identifier != NULL)
        {
          pid_t group = (pid_t) g_ascii_strtoll (identifier, NULL, 10);

          /* A child forked while the signal was sent may keep the master
           * waiting for seconds: after a short grace, kill the group. */
          if (!signal_and_wait (self->process, group, SIGTERM, 500))
            g_test_message ("Dovecot did not stop within 0.5 s of SIGTERM; killed it");
          kill (-group, SIGKILL);
        }
      g_clear_object (&self->process);
    }

  if (self->dir != NULL && g_strcmp0 (g_getenv ("PF_TEST_KEEP_DOVECOT"), "1") != 0)
    pf_test_remove_tree (self->dir);
  else if (self->dir != NULL)
    g_printerr ("# kept Dovecot directory %s\n", self->dir);

  g_clear_object (&self->database);
  g_clear_pointer (&self->users, g_hash_table_unref);
  g_free (self->dir);
  g_free (self->passwd_dir);
  g_free (self->ca_file);
  g_free (self);
}

guint16
pf_test_dovecot_get_port (PfTestDovecot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->port;
}

guint16
pf_test_dovecot_get_tls_port (PfTestDovecot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->tls_port;
}

const char *
pf_test_dovecot_get_ca_file (PfTestDovecot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->ca_file;
}

GTlsDatabase *
pf_test_dovecot_get_tls_database (PfTestDovecot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->database;
}

const char *
pf_test_dovecot_get_dir (PfTestDovecot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->dir;
}

char *
pf_test_dovecot_get_maildir (PfTestDovecot *self,
                             const char    *user)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  return g_build_filename (self->dir, "home", user, "Maildir", NULL);
}

static gboolean
make_owned_dir (PfTestDovecot  *self,
                const char     *path,
                GError        **error)
{
  if (g_mkdir (path, 0700) != 0 && errno != EEXIST)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "mkdir %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  return chown_to_mail_user (self, path, error);
}

/* The user's home and Maildir with cur/, new/, tmp/. */
static gboolean
make_mailbox (PfTestDovecot  *self,
              const char     *user,
              GError        **error)
{
  static const char * const subdirs[] = { "cur", "new", "tmp" };
  g_autofree char *home = g_build_filename (self->dir, "home", user, NULL);
  g_autofree char *maildir = pf_test_dovecot_get_maildir (self, user);

  if (!make_owned_dir (self, home, error) || !make_owned_dir (self, maildir, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *sub = g_build_filename (maildir, subdirs[i], NULL);

      if (!make_owned_dir (self, sub, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
pf_test_dovecot_add_user (PfTestDovecot  *self,
                          const char     *user,
                          const char     *password,
                          GError        **error)
{

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL && *user != '\0', FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  if (strpbrk (user, ":/\r\n") != NULL || strpbrk (password, ":\r\n") != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "a passwd-file user or password cannot hold ':', '/' or a line break");
      return FALSE;
    }

  if (!make_mailbox (self, user, error))
    return FALSE;
  if (!write_user_file (self, user, password, error))
    return FALSE;
  g_hash_table_add (self->users, g_strdup (user));
  return TRUE;
}

gboolean
pf_test_dovecot_add_oauth2_user (PfTestDovecot  *self,
                                 const char     *user,
                                 GError        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL && *user != '\0', FALSE);

  if (strpbrk (user, ":/\r\n") != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "a user name cannot hold ':', '/' or a line break");
      return FALSE;
    }
  if (!make_mailbox (self, user, error))
    return FALSE;
  g_hash_table_add (self->users, g_strdup (user));
  return TRUE;
}

static gboolean
deliver (PfTestDovecot  *self,
         const char     *user,
         const char     *data,
         gsize           len,
         GError        **error)
{
  g_autofree char *maildir = pf_test_dovecot_get_maildir (self, user);
  g_autofree char *name = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *new_path = NULL;
  gint64 now = g_get_real_time ();

  if (!g_hash_table_contains (self->users, user))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no user %s; add it first", user);
      return FALSE;
    }

  /* Maildir naming: time.MusecPpidQn.host */
  name = g_strdup_printf ("%" G_GINT64_FORMAT ".M%06dP%dQ%u.popfetch-test",
                          now / G_USEC_PER_SEC, (int) (now % G_USEC_PER_SEC),
                          (int) getpid (), ++self->delivered);
  tmp_path = g_build_filename (maildir, "tmp", name, NULL);
  new_path = g_build_filename (maildir, "new", name, NULL);

  if (!g_file_set_contents_full (tmp_path, data, len, G_FILE_SET_CONTENTS_NONE, 0600, error) ||
      !chown_to_mail_user (self, tmp_path, error))
    return FALSE;
  if (g_rename (tmp_path, new_path) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "rename %s: %s", tmp_path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
pf_test_dovecot_add_message (PfTestDovecot  *self,
                             const char     *user,
                             const char     *data,
                             gsize           len,
                             GError        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  return deliver (self, user, data, len, error);
}

gboolean
pf_test_dovecot_add_messages (PfTestDovecot  *self,
                              const char     *user,
                              guint           count,
                              gsize           size,
                              GError        **error)
{
  GString *message = g_string_new (NULL);
  gboolean ok = TRUE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  for (guint i = 1; ok && i <= count; i++)
    {
      guint line = 0;

      g_string_truncate (message, 0);
      g_string_append_printf (message,
                              "From: Sender <sender@popfetch.test>\n"
                              "To: %s\n"
                              "Subject: Message %u\n"
                              "Date: Sat, 28 Nov 2026 10:00:00 +0000\n"
                              "Message-ID: <bulk-%u-%u@popfetch.test>\n"
                              "\n",
                              user, i, self->delivered + 1, i);
      /* Body lines of 72 characters; a leading dot now and then exercises
       * dot-stuffing on the wire. */
      while (message->len < size)
        {
          gsize line_start = message->len;

          line++;
          if (line % 10 == 0)
            g_string_append_c (message, '.');
          g_string_append_printf (message, "Line %06u of message %06u ", line, i);
          while (message->len - line_start < 72)
            g_string_append_c (message, 'x');
          g_string_append_c (message, '\n');
        }
      ok = deliver (self, user, message->str, message->len, error);
    }

  g_string_free (message, TRUE);
  return ok;
}
