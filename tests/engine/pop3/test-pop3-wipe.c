/* test-pop3-wipe.c — no copy of the password is left once the login is done
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The client copies the password into the PASS line or the SASL response,
 * its base64 form, the output buffer, the command queue. Each copy must be
 * wiped before it is freed, or the heap keeps it until something else
 * happens to reuse the block. These cases log in, then read every
 * writable byte of the process (tests/lib/pf-test-memory.h) for the
 * password and for its base64 form.
 *
 * A freed block may be reused before the scan reaches it, so free() and
 * realloc() are also watched: a block given back to the allocator with a
 * piece of the password in it is counted when it happens.
 *
 * The scripted server of tests/lib records what it receives, so it would
 * hold copies of its own: the server here is a small one that reads into
 * its stack and wipes what it read.
 *
 * Under AddressSanitizer the allocator is ASan's and freed memory is
 * poisoned: the cases are skipped there.
 */

#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pf-error.h"
#include "pf-pop3-client.h"
#include "pf-sasl.h"
#define PF_TEST_MEMORY_WATCH_FREES
#include "pf-test-memory.h"
#include "pf-test-server.h"
#include "pf-test-util.h"

#define TIMEOUT 10

/* The secret lives here only: the scan leaves these bytes out. */
static char password[4097];
static char plain_b64[((4097 + 8) / 3 + 1) * 4 + 1];
static char login_b64[(4097 / 3 + 1) * 4 + 1];

typedef struct
{
  int       listener;
  guint16   port;
  GThread  *thread;
  gboolean  password_seen;   /* the login really carried the password */
} WipeServer;

static gboolean
send_all (int         fd,
          const char *text)
{
  gsize len = strlen (text);

  while (len > 0)
    {
      gssize n = send (fd, text, len, MSG_NOSIGNAL);

      if (n <= 0)
        return FALSE;
      text += n;
      len -= n;
    }
  return TRUE;
}

/* One line into @line (at most @size - 1 bytes, CRLF cut off), a byte at a
 * time so that nothing of the next line is read ahead. */
static gboolean
read_line (int    fd,
           char  *line,
           gsize  size)
{
  gsize len = 0;

  for (;;)
    {
      char c;

      if (recv (fd, &c, 1, 0) != 1)
        return FALSE;
      if (c == '\n')
        break;
      g_assert_cmpuint (len, <, size - 1);
      line[len++] = c;
    }
  if (len > 0 && line[len - 1] == '\r')
    len--;
  line[len] = '\0';
  return TRUE;
}

static gboolean
plain_response_matches (char *b64)
{
  gsize len = 0;
  gboolean matches;
  static const char prefix[] = "\0bob\0";

  g_base64_decode_inplace (b64, &len);
  matches = len == sizeof prefix - 1 + strlen (password) &&
            memcmp (b64, prefix, sizeof prefix - 1) == 0 &&
            memcmp (b64 + sizeof prefix - 1, password, strlen (password)) == 0;
  explicit_bzero (b64, strlen (plain_b64) + 1);
  return matches;
}

static gpointer
serve (gpointer data)
{
  WipeServer *server = data;
  char line[8192];
  int fd = accept (server->listener, NULL, NULL);

  g_assert_cmpint (fd, >=, 0);
  send_all (fd, "+OK ready <1896.697170952@dbc.mtview.ca.us>\r\n");
  while (read_line (fd, line, sizeof line))
    {
      const char *reply = "+OK\r\n";

      if (strcmp (line, "CAPA") == 0)
        reply = "+OK\r\nUSER\r\nUIDL\r\nSASL PLAIN LOGIN\r\n.\r\n";
      else if (g_str_has_prefix (line, "PASS "))
        server->password_seen = strcmp (line + 5, password) == 0;
      else if (g_str_has_prefix (line, "AUTH PLAIN "))
        server->password_seen = plain_response_matches (line + strlen ("AUTH PLAIN "));
      else if (strcmp (line, "AUTH PLAIN") == 0)
        {
          send_all (fd, "+ \r\n");
          if (!read_line (fd, line, sizeof line))
            break;
          server->password_seen = plain_response_matches (line);
        }
      else if (strcmp (line, "AUTH LOGIN") == 0)
        {
          gsize len = 0;

          send_all (fd, "+ VXNlcm5hbWU6\r\n");
          if (!read_line (fd, line, sizeof line))
            break;
          send_all (fd, "+ UGFzc3dvcmQ6\r\n");
          if (!read_line (fd, line, sizeof line))
            break;
          g_base64_decode_inplace (line, &len);
          server->password_seen = len == strlen (password) && memcmp (line, password, len) == 0;
        }
      else if (g_str_has_prefix (line, "APOP bob "))
        /* Checking the digest would make a copy here. */
        server->password_seen = strlen (line) == strlen ("APOP bob ") + 32;
      else if (strcmp (line, "STAT") == 0)
        reply = "+OK 0 0\r\n";
      else if (strcmp (line, "QUIT") == 0)
        {
          send_all (fd, "+OK bye\r\n");
          break;
        }
      explicit_bzero (line, sizeof line);
      if (!send_all (fd, reply))
        break;
    }
  explicit_bzero (line, sizeof line);
  close (fd);
  return NULL;
}

static WipeServer *
wipe_server_start (void)
{
  WipeServer *server = g_new0 (WipeServer, 1);
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t address_len = sizeof address;

  server->listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (server->listener, >=, 0);
  g_assert_cmpint (bind (server->listener, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (listen (server->listener, 1), ==, 0);
  g_assert_cmpint (getsockname (server->listener, (struct sockaddr *) &address, &address_len), ==, 0);
  server->port = ntohs (address.sin_port);
  server->thread = g_thread_new ("wipe-server", serve, server);
  return server;
}

/* Whether the login carried the password. */
static gboolean
wipe_server_stop (WipeServer *server)
{
  gboolean seen;

  g_thread_join (server->thread);
  close (server->listener);
  seen = server->password_seen;
  g_free (server);
  return seen;
}

/* The password of @len bytes, and the base64 of its SASL PLAIN response
 * for user "bob", in the static buffers above. */
static void
make_password (gsize len,
               guint seed)
{
  char response[sizeof password + 8];
  gsize response_len;
  gint state = 0, save = 0;
  gsize out;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  g_assert_cmpuint (len, <, sizeof password);
  explicit_bzero (password, sizeof password);
  /* Random printable bytes: in a pattern that repeats, any piece of a
   * copy would pass for every piece. */
  for (gsize i = 0; i < len; i++)
    password[i] = (char) g_rand_int_range (rand, '!', '~' + 1);

  memcpy (response, "\0bob\0", 5);
  memcpy (response + 5, password, len);
  response_len = 5 + len;
  explicit_bzero (plain_b64, sizeof plain_b64);
  out = g_base64_encode_step ((const guchar *) response, response_len, FALSE, plain_b64, &state, &save);
  g_base64_encode_close (FALSE, plain_b64 + out, &state, &save);
  explicit_bzero (response, sizeof response);

  state = save = 0;
  explicit_bzero (login_b64, sizeof login_b64);
  out = g_base64_encode_step ((const guchar *) password, len, FALSE, login_b64, &state, &save);
  g_base64_encode_close (FALSE, login_b64 + out, &state, &save);
}

/* A copy may be cut short, or partly overwritten once its block was
 * reused: look for pieces of WINDOW bytes from the start, the middle and
 * the end of the password and of the middle of its base64 form (whose
 * ends depend on what surrounds the password). */
#define WINDOW 20

static guint
count_pieces (const char *text,
              gsize       len,
              const char *own,
              gsize       own_len)
{
  const gsize offsets[] = { 0, len / 2 - WINDOW / 2, len - WINDOW };
  guint hits = 0;

  g_assert_cmpuint (len, >=, WINDOW);
  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    hits += pf_test_memory_count (text + offsets[i], WINDOW, own, own_len);
  return hits;
}

static gboolean
has_piece (const char *block,
           gsize       size,
           const char *text,
           gsize       len)
{
  const gsize offsets[] = { 0, len / 2 - WINDOW / 2, len - WINDOW };

  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    if (pf_test_memory_find (block, size, text + offsets[i], WINDOW) != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
pf_test_memory_block_is_secret (const void *block,
                                gsize       size)
{
  return has_piece (block, size, password, strlen (password)) ||
         has_piece (block, size, plain_b64 + 8, strlen (plain_b64) - 16) ||
         has_piece (block, size, login_b64 + 4, strlen (login_b64) - 8);
}

static guint
count_copies (void)
{
  return count_pieces (password, strlen (password), password, sizeof password) +
         count_pieces (plain_b64 + 8, strlen (plain_b64) - 16, plain_b64, sizeof plain_b64) +
         count_pieces (login_b64 + 4, strlen (login_b64) - 8, login_b64, sizeof login_b64);
}

typedef struct
{
  PfAuthMechanism mechanism;
  gsize           length;
  guint           seed;      /* each case its own password */
} Case;

static void
test_no_copy_after_login (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(PfServerSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  WipeServer *server;
  PfPop3Client *client;

#ifdef PF_TEST_MEMORY_UNDER_ASAN
  g_test_skip ("ASan's allocator poisons freed memory");
  return;
#endif
  make_password (c->length, c->seed);
  g_assert_cmpuint (count_copies (), ==, 0);
  g_atomic_int_set (&pf_test_memory_unwiped_frees, 0);
  g_atomic_int_set (&pf_test_memory_watching, TRUE);

  server = wipe_server_start ();
  settings = pf_server_settings_new ("127.0.0.1", server->port, PF_SECURITY_NONE);
  pf_server_settings_set_allow_plaintext_auth (settings, TRUE);
  pf_server_settings_set_timeout (settings, TIMEOUT);
  client = pf_pop3_client_new_for_settings (settings);

  g_assert_true (pf_test_pop3_connect (client, TIMEOUT, &error));
  g_assert_no_error (error);
  g_assert_true (pf_test_pop3_login (client, "bob", password, c->mechanism, NULL, TIMEOUT, &error));
  g_assert_no_error (error);

  /* Logged in, the session still open: nothing of the login is left. */
  g_assert_cmpuint (count_copies (), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&pf_test_memory_unwiped_frees), ==, 0);

  pf_test_pop3_quit (client, TIMEOUT);
  pf_test_pop3_drop (client, TIMEOUT);
  g_assert_true (wipe_server_stop (server));
  g_atomic_int_set (&pf_test_memory_watching, FALSE);
  g_assert_cmpuint (count_copies (), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&pf_test_memory_unwiped_frees), ==, 0);
}

static const Case cases[] = {
  { PF_AUTH_USER, 24, 0 },
  { PF_AUTH_USER, 4096, 1 },
  { PF_AUTH_PLAIN, 24, 2 },
  { PF_AUTH_PLAIN, 4096, 3 },
  { PF_AUTH_LOGIN, 24, 4 },
  { PF_AUTH_LOGIN, 4096, 5 },
  { PF_AUTH_APOP, 24, 6 },
  { PF_AUTH_APOP, 4096, 7 },
};

/* SCRAM prepares the password (RFC 4013) before deriving its key: the
 * prepared copy is the caller's to wipe, and the steps in between leave
 * none. */
static void
test_saslprep_no_copy (void)
{
  char *prepared;

#ifdef PF_TEST_MEMORY_UNDER_ASAN
  g_test_skip ("ASan's allocator poisons freed memory");
  return;
#endif
  make_password (300, 8);
  g_atomic_int_set (&pf_test_memory_unwiped_frees, 0);
  g_atomic_int_set (&pf_test_memory_watching, TRUE);
  prepared = pf_saslprep (password, NULL);
  g_assert_cmpstr (prepared, ==, password);
  explicit_bzero (prepared, strlen (prepared));
  g_free (prepared);
  g_atomic_int_set (&pf_test_memory_watching, FALSE);
  g_assert_cmpuint (count_copies (), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&pf_test_memory_unwiped_frees), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_ascii_strdown (pf_auth_mechanism_to_string (cases[i].mechanism), -1);
      g_autofree char *path = g_strdup_printf ("/engine/pop3/wipe/%s-%zu", name, cases[i].length);

      g_test_add_data_func (path, &cases[i], test_no_copy_after_login);
    }

  g_test_add_func ("/engine/pop3/wipe/saslprep", test_saslprep_no_copy);

  return g_test_run ();
}
