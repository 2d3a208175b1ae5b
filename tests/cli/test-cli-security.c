/* test-cli-security.c — what popfetch-cli does to keep a password to itself:
 * private password files, no core dumps, and a CA file given relative to
 * the current directory
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pf-test-certs.h"
#include "pf-test-cli.h"
#include "pf-test-pop3.h"
#include "pf-test-server.h"
#include "pf-test-util.h"

#define PASSWORD "secret"

/* A user that owns nothing here, for the processes whose dumpability is
 * looked at when the tests run as root. */
#define NOBODY 65534

#define LOGGED_IN \
  "S: +OK POP3 ready\n" \
  "C: CAPA\nS: +OK\nS: USER\nS: UIDL\nS: .\n" \
  "C: USER bob\nS: +OK\nC: PASS " PASSWORD "\nS: +OK logged in\n"

/* Runs popfetch-cli in @cwd with @input on stdin, iterating the main
 * context meanwhile: the scripted server accepts on it. */
static void
run_cli (PfTestRun          *outcome,
         const char         *cwd,
         const char         *input,
         const char * const *args)
{
  pf_test_run_cli_iterating (outcome, cwd, input, NULL, args);
}

static char *
write_file (const char *name,
            const char *contents,
            int         mode)
{
  char *path = g_build_filename (g_get_user_runtime_dir (), name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_NONE, mode, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
  return path;
}

/* A port on loopback where nothing listens. */
static char *
closed_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_strdup_printf ("%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
}

/* `popfetch-cli test` against a closed port with the password from @file:
 * a usable password file gets as far as the connection (refused, 69). */
static void
test_with_password_file (PfTestRun  *outcome,
                         const char *file)
{
  g_autofree char *port = closed_port ();
  const char *args[] = { "test", "--host", "127.0.0.1", "--port", port, "--security", "none",
                         "--user", "bob", "--password-file", file, "--timeout", "5", NULL };

  run_cli (outcome, NULL, NULL, args);
}

static void
test_password_file_loose_refused (void)
{
  static const int loose[] = { 0644, 0640, 0604, 0660, 0606 };

  for (guint i = 0; i < G_N_ELEMENTS (loose); i++)
    {
      g_auto(PfTestRun) outcome = { 0 };
      g_autofree char *file = write_file ("password", PASSWORD "\n", loose[i]);
      g_autofree char *chmod = g_strdup_printf ("chmod 600 %s", file);

      test_with_password_file (&outcome, file);
      g_assert_cmpint (outcome.status, ==, 64);
      g_assert_nonnull (strstr (outcome.err, file));
      g_assert_nonnull (strstr (outcome.err, "other users"));
      g_assert_nonnull (strstr (outcome.err, chmod));
      g_unlink (file);
    }

  /* The ad hoc fetch reads it in popfetch-cli-fetch: the same rule. */
  {
    g_auto(PfTestRun) outcome = { 0 };
    g_autofree char *file = write_file ("password", PASSWORD "\n", 0644);
    g_autofree char *maildir = g_build_filename (g_get_user_data_dir (), "Mail", NULL);
    g_autofree char *port = closed_port ();
    const char *args[] = { "fetch", "--host", "127.0.0.1", "--port", port, "--security", "none",
                           "--user", "bob", "--password-file", file, "--maildir", maildir, NULL };

    run_cli (&outcome, NULL, NULL, args);
    g_assert_cmpint (outcome.status, ==, 64);
    g_assert_nonnull (strstr (outcome.err, "chmod 600"));
  }
}

/* Every command that takes --password-file (and fetch's
 * --oauth2-token-file, a secret of the same kind) goes through the same
 * reader: a loose file is refused with the same words, before anything is
 * stored or sent. The saved account's server is a closed port and its
 * security "none", so a command that used the password would end at the
 * connection (69), not with 64. */
static void
test_password_file_loose_every_command (void)
{
  g_autofree char *file = write_file ("password", PASSWORD "\n", 0640);
  g_autofree char *chmod = g_strdup_printf ("chmod 600 %s", file);
  g_autofree char *port = closed_port ();
  g_autofree char *maildir = g_build_filename (g_get_user_data_dir (), "Mail", NULL);
  g_autofree char *accounts = pf_test_accounts_file ();
  g_autofree char *accounts_dir = g_path_get_dirname (accounts);
  g_autofree char *accounts_text =
    g_strdup_printf ("[Account work]\naddress=bob@example.test\nhost=127.0.0.1\nport=%s\n"
                     "security=none\nallow-plaintext=true\nuser=bob\nmaildir=%s\n", port, maildir);
  const char *commands[][20] = {
    { "add", "bob@example.test", "--name", "new", "--host", "127.0.0.1", "--port", port,
      "--security", "none", "--allow-plaintext", "--password-file", file, "--yes", NULL },
    { "set-password", "work", "--password-file", file, NULL },
    { "test", "work", "--password-file", file, NULL },
    { "test", "--host", "127.0.0.1", "--port", port, "--security", "none", "--user", "bob",
      "--password-file", file, NULL },
    { "fetch", "work", "--password-file", file, NULL },
    { "fetch", "--host", "127.0.0.1", "--port", port, "--security", "none", "--user", "bob",
      "--password-file", file, "--maildir", maildir, NULL },
    { "fetch", "--host", "127.0.0.1", "--port", port, "--security", "none", "--user", "bob",
      "--oauth2-token-file", file, "--maildir", maildir, NULL },
  };

  g_assert_cmpint (g_mkdir_with_parents (accounts_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (accounts, accounts_text, -1, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(PfTestRun) outcome = { 0 };
      g_autofree char *after = NULL;

      run_cli (&outcome, NULL, NULL, commands[i]);
      g_assert_cmpint (outcome.status, ==, 64);
      g_assert_nonnull (strstr (outcome.err, "other users"));
      g_assert_nonnull (strstr (outcome.err, chmod));
      /* Nothing saved: add wrote no account. */
      g_assert_true (g_file_get_contents (accounts, &after, NULL, NULL));
      g_assert_cmpstr (after, ==, accounts_text);
    }
}

static void
test_password_file_private_accepted (void)
{
  g_auto(PfTestRun) outcome = { 0 };
  g_autofree char *file = write_file ("password", PASSWORD "\n", 0600);

  test_with_password_file (&outcome, file);
  g_assert_cmpint (outcome.status, ==, 69);
  g_assert_null (strstr (outcome.err, "chmod"));
}

/* Descriptors, pipes and character devices have no file mode to keep
 * private: they are what `--password-file <(pass show x)` gives. */
static void
test_password_file_descriptors_accepted (void)
{
  const char *descriptors[] = { "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0" };
  g_autofree char *port = closed_port ();

  for (guint i = 0; i < G_N_ELEMENTS (descriptors); i++)
    {
      g_auto(PfTestRun) outcome = { 0 };
      const char *args[] = { "test", "--host", "127.0.0.1", "--port", port, "--security", "none",
                             "--user", "bob", "--password-file", descriptors[i], NULL };

      /* Standard input is a pipe here. */
      run_cli (&outcome, NULL, PASSWORD "\n", args);
      g_assert_cmpint (outcome.status, ==, 69);
      g_assert_null (strstr (outcome.err, "chmod"));
    }

  /* A character device anyone may read: accepted, and empty. */
  {
    g_auto(PfTestRun) outcome = { 0 };

    test_with_password_file (&outcome, "/dev/null");
    g_assert_cmpint (outcome.status, ==, 64);
    g_assert_null (strstr (outcome.err, "chmod"));
    g_assert_nonnull (strstr (outcome.err, "empty"));
  }
}

/* The reader holds the line in one buffer of the largest size: the
 * longest password fits, one byte more is refused. */
static void
test_password_longest (void)
{
  g_autofree char *port = closed_port ();
  const char *args[] = { "test", "--host", "127.0.0.1", "--port", port, "--security", "none",
                         "--user", "bob", "--password-stdin", NULL };
  g_autofree char *longest = g_strnfill (4096, 'p');
  g_autofree char *too_long = g_strnfill (4097, 'p');
  g_autofree char *input = NULL;
  g_auto(PfTestRun) fits = { 0 };
  g_auto(PfTestRun) refused = { 0 };

  input = g_strconcat (longest, "\n", NULL);
  run_cli (&fits, NULL, input, args);
  g_assert_cmpint (fits.status, ==, 69);
  g_clear_pointer (&input, g_free);
  input = g_strconcat (too_long, "\n", NULL);
  run_cli (&refused, NULL, input, args);
  g_assert_cmpint (refused.status, ==, 64);
  g_assert_nonnull (strstr (refused.err, "longer than 4096"));
}

typedef struct
{
  char     *path;
  gboolean  done;
} FifoWriter;

static gboolean
write_fifo_cb (gpointer user_data)
{
  FifoWriter *writer = user_data;
  int fd = open (writer->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

  /* ENXIO: popfetch-cli has not opened it for reading yet. */
  if (fd < 0)
    {
      g_assert_cmpint (errno, ==, ENXIO);
      return G_SOURCE_CONTINUE;
    }
  g_assert_cmpint (write (fd, PASSWORD "\n", strlen (PASSWORD) + 1), ==, strlen (PASSWORD) + 1);
  close (fd);
  writer->done = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_password_file_fifo_accepted (void)
{
  g_auto(PfTestRun) outcome = { 0 };
  FifoWriter writer = { 0 };
  guint source;

  writer.path = g_build_filename (g_get_user_runtime_dir (), "password-fifo", NULL);
  g_assert_cmpint (mkfifo (writer.path, 0644), ==, 0);
  g_assert_cmpint (g_chmod (writer.path, 0644), ==, 0);
  source = g_timeout_add (10, write_fifo_cb, &writer);
  test_with_password_file (&outcome, writer.path);
  if (!writer.done)
    g_source_remove (source);
  g_assert_true (writer.done);
  g_assert_cmpint (outcome.status, ==, 69);
  g_assert_null (strstr (outcome.err, "chmod"));
  g_unlink (writer.path);
  g_free (writer.path);
}

/* A CA file named relative to the current directory is used as such: GIO
 * loads only absolute paths and said nothing. */
static char *
ca_in_directory (void)
{
  g_autofree char *contents = NULL;
  char *dir = g_build_filename (g_get_user_runtime_dir (), "certs", NULL);
  g_autofree char *copy = g_build_filename (dir, "test-ca.pem", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_get_contents (pf_test_certs_ca_file (), &contents, NULL, NULL));
  g_assert_true (g_file_set_contents (copy, contents, -1, NULL));
  return dir;
}

/* A scripted TLS server with a valid certificate. */
static PfTestServer *
tls_server (const char *script)
{
  return pf_test_pop3_server (PF_TEST_SERVER_TLS, PF_TEST_CERT_VALID, script);
}

static void
test_ca_file_relative_login_test (void)
{
  g_autofree char *dir = ca_in_directory ();
  g_autoptr(PfTestServer) server = tls_server (LOGGED_IN
                                               "C: CAPA\nS: -ERR\n"
                                               "C: STAT\nS: +OK 0 0\n"
                                               "C: QUIT\nS: +OK\n");
  g_autofree char *port = g_strdup_printf ("%u", pf_test_server_get_port (server));
  const char *args[] = { "test", "--host", "127.0.0.1", "--port", port, "--security", "tls",
                         "--user", "bob", "--password-stdin", "--ca-file", "test-ca.pem",
                         "--mechanism", "USER", NULL };
  g_auto(PfTestRun) outcome = { 0 };

  run_cli (&outcome, dir, PASSWORD "\n", args);
  g_assert_cmpint (outcome.status, ==, 0);
  g_assert_nonnull (strstr (outcome.out, "The login works."));
}

static void
test_ca_file_relative_fetch (void)
{
  g_autofree char *dir = ca_in_directory ();
  /* Past the login it does not matter here what the fetch asks. */
  g_autoptr(PfTestServer) server = tls_server (LOGGED_IN "STALL 200\nCLOSE\n");
  g_autofree char *port = g_strdup_printf ("%u", pf_test_server_get_port (server));
  g_autofree char *maildir = g_build_filename (g_get_user_data_dir (), "Mail", NULL);
  const char *args[] = { "fetch", "--host", "127.0.0.1", "--port", port, "--security", "tls",
                         "--user", "bob", "--password-stdin", "--ca-file", "test-ca.pem",
                         "--maildir", maildir, NULL };
  g_auto(PfTestRun) outcome = { 0 };

  run_cli (&outcome, dir, PASSWORD "\n", args);
  g_assert_null (strstr (outcome.err, "certificate"));
  g_assert_true (pf_test_server_received_contains (server, "PASS " PASSWORD));
}

/* add and edit store the CA file as an absolute path: a saved account
 * is used later from anywhere. add has no keyring here; the settings are
 * saved all the same. */
static void
test_ca_file_relative_add_edit (void)
{
  g_autofree char *dir = ca_in_directory ();
  g_autofree char *subdir = g_build_filename (dir, "sub", NULL);
  g_autofree char *added = g_strdup_printf ("ca-file=%s/test-ca.pem\n", dir);
  g_autofree char *edited = g_strdup_printf ("ca-file=%s/test-ca.pem\n", subdir);
  g_autofree char *accounts = pf_test_accounts_file ();
  g_autofree char *text = NULL;
  const char *add[] = { "add", "bob@example.test", "--name", "work", "--host", "pop.example.test",
                        "--skip-test", "--password-stdin", "--ca-file", "test-ca.pem", NULL };
  const char *edit[] = { "edit", "work", "--ca-file", "./test-ca.pem", NULL };
  g_auto(PfTestRun) add_outcome = { 0 };
  g_auto(PfTestRun) edit_outcome = { 0 };

  g_assert_cmpint (g_mkdir_with_parents (subdir, 0700), ==, 0);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/popfetch-test-bus", TRUE);

  run_cli (&add_outcome, dir, PASSWORD "\n", add);
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_assert_true (g_file_get_contents (accounts, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, added));
  g_clear_pointer (&text, g_free);

  run_cli (&edit_outcome, subdir, NULL, edit);
  g_assert_cmpint (edit_outcome.status, ==, 0);
  g_assert_true (g_file_get_contents (accounts, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, edited));
}

/* detect: with the test CA given relative to the current directory, the
 * server on 995 is recommended; the demo file maps the names to loopback
 * and trusts a CA that signed nothing here, so only the relative file can
 * make the certificate valid. */
static void
test_ca_file_relative_detect (void)
{
  g_autofree char *dir = ca_in_directory ();
  const char * const names[] = { "pop.rel.test", "pop3.rel.test", "mail.rel.test", "rel.test", NULL };
  g_autoptr(GTlsCertificate) certificate = pf_test_certs_server (PF_TEST_CERT_VALID, names);
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_TLS);
  g_autofree char *unrelated_ca = write_file ("unrelated-ca.pem",
                                              pf_test_certs_server_pem (PF_TEST_CERT_SELF_SIGNED, NULL, NULL),
                                              0600);
  g_autofree char *demo_text =
    g_strdup_printf ("[demo]\ndomain=rel.test\naddress=jo@rel.test\npassword=x\n"
                     "host-address=127.0.0.1\nport-map=995:%u;110:0;993:0;443:0\nca-file=%s\n",
                     pf_test_server_get_port (server), unrelated_ca);
  g_autofree char *demo = write_file ("demo.ini", demo_text, 0600);
  const char *args[] = { "detect", "jo@rel.test", "--ca-file", "test-ca.pem", "--timeout", "10", NULL };
  g_auto(PfTestRun) outcome = { 0 };

  pf_test_server_set_certificate (server, certificate);
  pf_test_server_add_script (server, "S: +OK POP3 ready\n"
                                     "C: CAPA\nS: +OK\nS: USER\nS: UIDL\nS: .\n"
                                     "C: *\nS: +OK\n");
  g_setenv ("POPFETCH_DEMO", demo, TRUE);
  run_cli (&outcome, dir, NULL, args);
  g_unsetenv ("POPFETCH_DEMO");
  g_assert_cmpint (outcome.status, ==, 0);
  g_assert_nonnull (strstr (outcome.out, "Recommended"));
}

/* ---- Outdated TLS ----------------------------------------------------- */

/* A server that speaks only TLS 1.0 or 1.1, and popfetch-cli with the TLS
 * stack as the system sets it up: the handshake may succeed with the old
 * version (GnuTLS still allows it by default here), and then nothing may
 * follow it. glib-networking reads G_TLS_GNUTLS_PRIORITY once per process,
 * for its servers and clients alike: the server runs in a child test
 * process with the override set before its first TLS object, and
 * popfetch-cli gets an environment without it. */
typedef struct
{
  const char *priority;
  const char *version;
  const char *command;
  const char *security;
} OutdatedCase;

static const OutdatedCase outdated_cases[] = {
  { "NORMAL:-VERS-ALL:+VERS-TLS1.0", "1.0", "test", "tls" },
  { "NORMAL:-VERS-ALL:+VERS-TLS1.1", "1.1", "test", "tls" },
  { "NORMAL:-VERS-ALL:+VERS-TLS1.1", "1.1", "test", "starttls" },
  { "NORMAL:-VERS-ALL:+VERS-TLS1.0", "1.0", "fetch", "tls" },
  { "NORMAL:-VERS-ALL:+VERS-TLS1.0", "1.0", "fetch", "starttls" },
};

static void
run_outdated_case (const OutdatedCase *c)
{
  g_autoptr(PfTestServer) server = NULL;
  g_autofree char *port = NULL;
  g_autofree char *maildir = g_build_filename (g_get_user_data_dir (), "Mail", NULL);
  g_autofree char *expected = g_strdup_printf ("outdated, insecure TLS version %s", c->version);
  g_auto(PfTestRun) outcome = { 0 };

  g_assert_true (g_setenv ("G_TLS_GNUTLS_PRIORITY", c->priority, TRUE));
  /* What the server would do next if the client went on. */
  if (g_str_equal (c->security, "tls"))
    server = tls_server (LOGGED_IN "C: CAPA\nS: -ERR\nC: STAT\nS: +OK 0 0\nC: QUIT\nS: +OK\n");
  else
    {
      g_autoptr(GTlsCertificate) certificate = pf_test_certs_server (PF_TEST_CERT_VALID, NULL);

      server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
      pf_test_server_set_certificate (server, certificate);
      pf_test_server_add_script (server,
                                 "S: +OK POP3 ready\n"
                                 "C: CAPA\nS: +OK\nS: USER\nS: STLS\nS: .\n"
                                 "C: STLS\nS: +OK\nTLS\n"
                                 "C: CAPA\nS: +OK\nS: USER\nS: UIDL\nS: .\n"
                                 "C: USER bob\nS: +OK\nC: PASS " PASSWORD "\nS: +OK logged in\n");
    }
  port = g_strdup_printf ("%u", pf_test_server_get_port (server));

  {
    const char *args[] = { c->command, "--host", "127.0.0.1", "--port", port,
                           "--security", c->security, "--user", "bob", "--password-stdin",
                           "--ca-file", pf_test_certs_ca_file (),
                           g_str_equal (c->command, "fetch") ? "--maildir" : "--timeout",
                           g_str_equal (c->command, "fetch") ? maildir : "10", NULL };
    /* popfetch-cli with the system's TLS setup, not the test's. */
    const char *env[] = { "G_TLS_GNUTLS_PRIORITY", NULL };

    pf_test_run_cli_iterating (&outcome, NULL, PASSWORD "\n", env, args);
  }

  g_assert_cmpint (outcome.status, ==, 77);
  g_assert_true (strstr (outcome.out, expected) != NULL || strstr (outcome.err, expected) != NULL);
  g_assert_true (pf_test_server_wait_connections (server, 1, 10));
  g_assert_false (pf_test_server_received_contains (server, "USER "));
  g_assert_false (pf_test_server_received_contains (server, PASSWORD));
}

static void
test_outdated_tls_refused (gconstpointer data)
{
  if (g_test_subprocess ())
    {
      run_outdated_case (data);
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* ---- Process hardening ------------------------------------------------ */

typedef struct
{
  gboolean as_nobody;
} ChildSetup;

/* In the child before exec: a core limit to be lowered, and when the test
 * runs as root, another user, whose /proc entries show dumpability. */
static void
child_setup (gpointer user_data)
{
  ChildSetup *setup = user_data;
  struct rlimit core;

  /* Root may raise the hard limit; anyone may raise the soft one to it. */
  if (getrlimit (RLIMIT_CORE, &core) == 0)
    {
      if (setup->as_nobody)
        core.rlim_max = RLIM_INFINITY;
      core.rlim_cur = core.rlim_max;
      setrlimit (RLIMIT_CORE, &core);
    }
  if (setup->as_nobody)
    {
      if (setgroups (0, NULL) != 0 || setgid (NOBODY) != 0 || setuid (NOBODY) != 0)
        _exit (121);
    }
}

static char *
proc_file (GSubprocess *process,
           const char  *name)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/%s", g_subprocess_get_identifier (process), name);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static gboolean
core_limit_is_zero (const char *limits)
{
  g_auto(GStrv) lines = g_strsplit (limits, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "Max core file size"))
      {
        g_auto(GStrv) words = g_strsplit_set (lines[i] + strlen ("Max core file size"), " \t", -1);
        guint zeros = 0;

        for (guint j = 0; words[j] != NULL; j++)
          if (g_str_equal (words[j], "0"))
            zeros++;
        return zeros == 2;
      }
  return FALSE;
}

static gboolean
owned_by_root (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 && st.st_uid == 0;
}

/* Waits (while it waits for its password) until @process is @comm, has
 * RLIMIT_CORE 0, soft and hard, and is not dumpable: the kernel then gives
 * its /proc entries to root instead of the process's user, which is not
 * root here. Before exec's new program hardens itself it is still
 * dumpable, hence the wait. */
static void
assert_hardened (GSubprocess *process,
                 const char  *comm,
                 uid_t        uid)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  g_autofree char *status_path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (process));

  g_assert_cmpuint (uid, !=, 0);
  for (;;)
    {
      g_autofree char *name = proc_file (process, "comm");
      g_autofree char *limits = proc_file (process, "limits");
      gboolean is_comm = name != NULL && g_str_equal (g_strchomp (name), comm);
      gboolean no_core = limits != NULL && core_limit_is_zero (limits);
      gboolean not_dumpable = owned_by_root (status_path);

      if (is_comm && no_core && not_dumpable)
        break;
      if (g_get_monotonic_time () > deadline)
        {
          g_test_message ("comm: %s, core limit 0: %d, not dumpable: %d\nlimits:\n%s",
                          name, no_core, not_dumpable, limits);
          g_assert_not_reached ();
        }
      g_usleep (20 * 1000);
    }
}

static void
check_process_hardened (const char * const *args,
                        const char         *comm)
{
  ChildSetup setup = { .as_nobody = geteuid () == 0 };
  g_autoptr(GSubprocessLauncher) launcher = pf_test_cli_launcher_new ("/");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) pf_test_cli_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  /* Standard input stays open and empty: the CLI waits for the password. */
  g_subprocess_launcher_set_child_setup (launcher, child_setup, &setup, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  assert_hardened (process, comm, setup.as_nobody ? NOBODY : geteuid ());

  g_subprocess_force_exit (process);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);
}

static void
test_process_not_dumpable (void)
{
  g_autofree char *port = closed_port ();
  const char *login_test[] = { "test", "--host", "127.0.0.1", "--port", port, "--security", "none",
                               "--user", "bob", "--password-stdin", NULL };
  const char *fetch[] = { "fetch", "--host", "127.0.0.1", "--port", port, "--security", "none",
                          "--user", "bob", "--password-stdin", "--maildir", "/nonexistent/Mail", NULL };

  check_process_hardened (login_test, "popfetch-cli");
  /* Exec starts a dumpable process again: popfetch-cli-fetch (its name
   * cut to 15 bytes) must say so itself. */
  check_process_hardened (fetch, "popfetch-cli-fe");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/security/password-file/loose-refused", test_password_file_loose_refused);
  g_test_add_func ("/cli/security/password-file/loose-refused-every-command",
                   test_password_file_loose_every_command);
  g_test_add_func ("/cli/security/password-file/private-accepted", test_password_file_private_accepted);
  g_test_add_func ("/cli/security/password-file/descriptors-accepted", test_password_file_descriptors_accepted);
  g_test_add_func ("/cli/security/password-file/fifo-accepted", test_password_file_fifo_accepted);
  g_test_add_func ("/cli/security/password/longest", test_password_longest);
  g_test_add_func ("/cli/security/ca-file-relative/login-test", test_ca_file_relative_login_test);
  g_test_add_func ("/cli/security/ca-file-relative/fetch", test_ca_file_relative_fetch);
  g_test_add_func ("/cli/security/ca-file-relative/add-edit", test_ca_file_relative_add_edit);
  g_test_add_func ("/cli/security/ca-file-relative/detect", test_ca_file_relative_detect);
  g_test_add_func ("/cli/security/process-not-dumpable", test_process_not_dumpable);
  for (guint i = 0; i < G_N_ELEMENTS (outdated_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/security/outdated-tls/%s-%s-%s",
                                               outdated_cases[i].command, outdated_cases[i].security,
                                               outdated_cases[i].version);

      g_test_add_data_func (path, &outdated_cases[i], test_outdated_tls_refused);
    }

  return g_test_run ();
}
