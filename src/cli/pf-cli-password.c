/* pf-cli-password.c — reading a password for one run
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Apart from the keyring code so that `popfetch-cli-fetch`, which only
 * fetches ad hoc, links no libsecret.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "pf-cli-common.h"
#include "pf-error.h"

#define PASSWORD_MAX 4096

static void
wipe_buffer (char  *buffer,
             gsize  size)
{
  explicit_bzero (buffer, size);
  g_free (buffer);
}

/* One line from @fd: up to the first newline, without it (and without a
 * CR before it). The buffer has the largest size at once and never grows:
 * a growing string leaves copies of the password in the blocks realloc
 * frees, where nothing wipes them. */
static char *
read_line_from_fd (int      fd,
                   GError **error)
{
  char *line = g_malloc (PASSWORD_MAX + 1);
  gsize len = 0;
  char *text;
  char c;

  for (;;)
    {
      gssize n = read (fd, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          wipe_buffer (line, PASSWORD_MAX + 1);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Cannot read the password: %s"), g_strerror (saved_errno));
          return NULL;
        }
      if (n == 0 || c == '\n')
        break;
      if (len >= PASSWORD_MAX)
        {
          wipe_buffer (line, PASSWORD_MAX + 1);
          g_set_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                       _("The password is longer than %d bytes"), PASSWORD_MAX);
          return NULL;
        }
      line[len++] = c;
    }

  if (len > 0 && line[len - 1] == '\r')
    len--;
  text = g_strndup (line, len);
  wipe_buffer (line, PASSWORD_MAX + 1);
  explicit_bzero (&c, sizeof c);
  return text;
}

/* A descriptor named by path (`--password-file <(pass show mail)` gives
 * /dev/fd/63): its mode is not the user's to set. */
static gboolean
names_descriptor (const char *file)
{
  return g_str_equal (file, "/dev/stdin") || g_str_has_prefix (file, "/dev/fd/")
         || g_str_has_prefix (file, "/proc/self/fd/");
}

/* Like ssh with a private key: a password or token file that other users may read
 * (or replace) is refused, not used. Pipes, sockets and devices have no
 * such file behind them. */
static gboolean
password_file_is_private (int          fd,
                          const char  *file,
                          GError     **error)
{
  struct stat st;

  if (fstat (fd, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot open %s: %s"), file, g_strerror (saved_errno));
      return FALSE;
    }
  if (names_descriptor (file) || S_ISFIFO (st.st_mode) || S_ISCHR (st.st_mode) || S_ISSOCK (st.st_mode))
    return TRUE;
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    {
      g_set_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                   _("The file %s can be read or changed by other users, so the secret in "
                     "it is not used; make it private with “chmod 600 %s”."),
                   file, file);
      return FALSE;
    }
  return TRUE;
}

static char *
prompt_password (const char  *prompt,
                 GError     **error)
{
  struct termios saved, quiet;
  char *password;
  int fd;

  fd = open ("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0 || tcgetattr (fd, &saved) != 0)
    {
      if (fd >= 0)
        close (fd);
      g_set_error_literal (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                           _("There is no terminal to ask for the password: "
                             "use --password-stdin or --password-file"));
      return NULL;
    }

  if (write (fd, prompt, strlen (prompt)) < 0)
    {
      /* Nothing to do: the prompt is a courtesy. */
    }
  quiet = saved;
  quiet.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHONL);
  quiet.c_lflag |= ICANON;
  tcsetattr (fd, TCSAFLUSH, &quiet);
  password = read_line_from_fd (fd, error);
  tcsetattr (fd, TCSAFLUSH, &saved);
  if (write (fd, "\n", 1) < 0)
    {
      /* Same. */
    }
  close (fd);
  return password;
}

static gboolean
password_is_acceptable (const char  *password,
                        GError     **error)
{
  if (password == NULL)
    return FALSE;
  if (*password == '\0')
    {
      g_set_error_literal (error, PF_ERROR, PF_ERROR_INVALID_INPUT, _("The password is empty"));
      return FALSE;
    }
  if (strpbrk (password, "\r\n") != NULL)
    {
      g_set_error_literal (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                           _("The password contains a line break"));
      return FALSE;
    }
  return TRUE;
}

char *
pf_cli_read_password (gboolean     from_stdin,
                      const char  *file,
                      const char  *prompt,
                      GError     **error)
{
  char *password = NULL;

  if (from_stdin && file != NULL)
    {
      g_set_error_literal (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                           _("Use either --password-stdin or --password-file, not both"));
      return NULL;
    }

  if (from_stdin)
    password = read_line_from_fd (STDIN_FILENO, error);
  else if (file != NULL)
    {
      int fd = open (file, O_RDONLY | O_CLOEXEC);

      if (fd < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Cannot open %s: %s"), file, g_strerror (saved_errno));
          return NULL;
        }
      if (password_file_is_private (fd, file, error))
        password = read_line_from_fd (fd, error);
      close (fd);
    }
  else if (prompt != NULL)
    password = prompt_password (prompt, error);
  else
    {
      g_set_error_literal (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                           _("No password given: use --password-stdin or --password-file"));
      return NULL;
    }

  if (password != NULL && !password_is_acceptable (password, error))
    g_clear_pointer (&password, pf_wipe_string);
  return password;
}
