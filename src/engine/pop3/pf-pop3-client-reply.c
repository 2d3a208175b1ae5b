/* pf-pop3-client-reply.c — matching what the server says to the command
 * at the head of the FIFO: status lines, multi-line data, the end of an answer
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-line-reader.h"
#include "pf-pop3-client-private.h"

/* ---------------------------------------------------------------------- */
/* Answers                                                                */

static Command *
pop_inflight (PfPop3Client *self)
{
  return g_queue_pop_head (&self->inflight);
}

static void
protocol_error (PfPop3Client *self,
                const char   *message)
{
  g_autoptr(GError) error = g_error_new_literal (PF_ERROR, PF_ERROR_PROTOCOL, message);

  _pf_pop3_client_fail_all (self, error);
}

static void
handle_continuation (PfPop3Client      *self,
                     Command           *cmd,
                     const PfPop3Reply *reply)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PfWipedBytes) response = NULL;
  g_autofree guint8 *challenge = NULL;
  g_autoptr(PfWipedString) encoded = NULL;
  gsize challenge_len = 0;
  const guint8 *data;
  gsize len;

  if (cmd->kind != CMD_AUTH)
    {
      protocol_error (self, "The server sent a SASL continuation outside AUTH");
      return;
    }

  if (cmd->pending_ir != NULL)
    {
      response = g_steal_pointer (&cmd->pending_ir);
    }
  else if (cmd->deferred != NULL)
    {
      /* We already gave up; the server should answer -ERR to "*". */
      _pf_pop3_client_send_continuation (self, "*");
      return;
    }
  else
    {
      const char *text = reply->text != NULL ? reply->text : "";

      /* Garbage is a protocol error, not something to answer: a lenient
       * decoder would let CRAM-MD5 sign whatever it made of it. */
      challenge = pf_sasl_decode_challenge (text, &challenge_len, &error);
      if (challenge == NULL ||
          !pf_sasl_step (cmd->sasl, challenge_len > 0 ? challenge : NULL, challenge_len,
                         &response, &error))
        {
          cmd->deferred = g_steal_pointer (&error);
          _pf_pop3_client_send_continuation (self, "*");
          return;
        }
    }

  data = response != NULL ? g_bytes_get_data (response, &len) : NULL;
  if (data == NULL)
    len = 0;
  encoded = len > 0 ? g_base64_encode (data, len) : g_strdup ("");
  _pf_pop3_client_send_continuation (self, encoded);
}

static void handle_reply (PfPop3Client *self,
                          Command      *cmd,
                          const char   *line,
                          PfPop3Reply  *reply);

/* Bytes waiting on the socket; the end of the stream is none. */
static gboolean
socket_has_data (PfPop3Client *self)
{
  GSocket *socket;
  GInputVector vector;
  guint8 byte;
  gint flags = G_SOCKET_MSG_PEEK;

  if (self->connection == NULL)
    return FALSE;
  socket = g_socket_connection_get_socket (self->connection);
  if (g_socket_condition_check (socket, G_IO_IN) == 0)
    return FALSE;
  vector.buffer = &byte;
  vector.size = 1;
  /* Readable, so this does not block. */
  return g_socket_receive_message (socket, NULL, &vector, 1, NULL, NULL, &flags, NULL, NULL) > 0;
}

GError *
_pf_pop3_client_stls_injection_error (void)
{
  return g_error_new_literal (PF_ERROR, PF_ERROR_STLS_INJECTION,
                              "The server sent data after agreeing to STLS and before "
                              "the TLS handshake");
}

/* What the bytes that came after "+OK" to STLS, before the handshake,
 * mean. Exactly one well-formed -ERR line is the server's own report that
 * its TLS side failed to start (Courier's helper, for one): its words,
 * sanitised, as STLS_UNAVAILABLE. Anything else (a +OK, a second line,
 * an unfinished line) may be an attacker's and counts as injection. */
GError *
_pf_pop3_client_stls_after_ok_error (const guint8 *data,
                     gsize         len)
{
  const char *text = (const char *) data;
  g_autofree char *reason = NULL;

  if (len < 6 || len > PF_POP3_MAX_STATUS_LINE || memcmp (text, "-ERR", 4) != 0 ||
      (text[4] != ' ' && text[4] != '\r') ||
      text[len - 2] != '\r' || text[len - 1] != '\n' ||
      memchr (text, '\n', len - 1) != NULL || memchr (text, '\r', len - 2) != NULL)
    return _pf_pop3_client_stls_injection_error ();

  reason = text[4] == ' ' ? pf_pop3_sanitize_text (text + 5, len - 7) : NULL;
  return g_error_new (PF_ERROR, PF_ERROR_STLS_UNAVAILABLE,
                      "The server agreed to STLS but could not start TLS: %s",
                      reason != NULL && *reason != '\0' ? reason : "no reason given");
}

static void
handle_status_line (PfPop3Client *self,
                    const char   *line,
                    gsize         len)
{
  PfPop3Reply reply = { 0, };
  g_autoptr(GError) error = NULL;
  Command *cmd = g_queue_peek_head (&self->inflight);

  _pf_pop3_client_clear_source (&self->line_source);
  pf_transcript_add_reply (self->transcript, line, len, self->tls_active);

  if (!pf_pop3_parse_reply (line, len, &reply, &error))
    {
      _pf_pop3_client_fail_all (self, error);
      return;
    }
  handle_reply (self, cmd, line, &reply);
  pf_pop3_reply_clear (&reply);
}

static void
handle_reply (PfPop3Client *self,
              Command      *cmd,
              const char   *line,
              PfPop3Reply  *reply)
{

  if (reply->status == PF_POP3_STATUS_CONTINUE)
    {
      handle_continuation (self, cmd, reply);
      return;
    }

  if (reply->status == PF_POP3_STATUS_ERR)
    {
      g_autoptr(GError) cmd_error = NULL;

      pop_inflight (self);
      if (cmd->deferred != NULL)
        cmd_error = g_steal_pointer (&cmd->deferred);
      else
        cmd_error = _pf_pop3_client_reply_to_error (reply, cmd->err_fallback);
      _pf_pop3_client_command_return_error (cmd, cmd_error);
      return;
    }

  cmd->text = g_steal_pointer (&reply->text);

  switch (cmd->kind)
    {
    case CMD_GREETING:
      g_free (self->apop_timestamp);
      self->apop_timestamp = pf_pop3_parse_apop_timestamp (line);
      break;

    case CMD_CAPA:
      pf_line_reader_set_mode (self->reader, PF_LINE_MODE_LINES);
      return;

    case CMD_LIST:
    case CMD_UIDL:
      pf_line_reader_set_mode (self->reader, PF_LINE_MODE_LINES);
      return;

    case CMD_RETR:
      pf_line_reader_set_mode (self->reader, PF_LINE_MODE_DATA);
      return;

    case CMD_STLS:
      /* Response injection: nothing may follow the +OK before the
       * handshake, neither in our buffer nor waiting on the socket. What
       * waits on the socket alone is judged by _pf_pop3_client_stls_grace(), which looks
       * at the socket first. */
      if (pf_line_reader_get_buffered (self->reader) > 0)
        {
          g_autoptr(GError) after_stls = NULL;
          gsize buffered_len;
          const guint8 *buffered = pf_line_reader_peek_buffered (self->reader, &buffered_len);

          after_stls = socket_has_data (self) ? _pf_pop3_client_stls_injection_error ()
                                              : _pf_pop3_client_stls_after_ok_error (buffered, buffered_len);
          _pf_pop3_client_fail_all (self, after_stls);
          return;
        }
      break;

    case CMD_AUTH:
      if (cmd->deferred == NULL && !pf_sasl_is_complete (cmd->sasl))
        cmd->deferred = g_error_new_literal (PF_ERROR, PF_ERROR_AUTH_REJECTED,
                                             "The server accepted the login without "
                                             "proving it knows the password");
      if (cmd->deferred != NULL)
        {
          g_autoptr(GError) auth_error = g_steal_pointer (&cmd->deferred);

          pop_inflight (self);
          _pf_pop3_client_fail_all (self, auth_error);
          _pf_pop3_client_command_return_error (cmd, auth_error);
          return;
        }
      break;

    case CMD_STAT:
      {
        guint count;
        guint64 size;

        /* stat_finish reports a bad answer; here it only bounds listings. */
        if (pf_pop3_parse_stat (cmd->text != NULL ? cmd->text : "", &count, &size, NULL))
          self->stat_count = count;
      }
      break;

    case CMD_SIMPLE:
      /* RSET brings back what DELE took out of the count. */
      if (g_strcmp0 (cmd->line, "RSET") == 0)
        self->stat_count = -1;
      break;

    default:
      break;
    }

  pop_inflight (self);
  _pf_pop3_client_command_return_ok (cmd);
}

/* A listing is held whole until its end, so a server must not make it
 * endless; and since nothing arrives in a mailbox during a session, it
 * cannot name more messages than STAT counted. Either ends the session at
 * once: reading on to the end of an endless answer would never end. */
static gboolean
listing_within_bounds (PfPop3Client *self,
                       guint         entries)
{
  g_autofree char *message = NULL;

  if (entries > self->max_listing)
    message = g_strdup_printf ("The server listed more than %u messages, more than Popfetch "
                               "takes from one mailbox", self->max_listing);
  else if (self->stat_count >= 0 && entries > self->stat_count)
    message = g_strdup_printf ("The server listed more messages than its STAT counted %"
                               G_GINT64_FORMAT " moments before", self->stat_count);
  else
    return TRUE;
  protocol_error (self, message);
  return FALSE;
}

static void
handle_data_line (PfPop3Client *self,
                  Command      *cmd,
                  const char   *line,
                  gsize         len)
{
  g_autoptr(GError) error = NULL;

  cmd->bytes += len + 2;
  /* Counted even after a bad line, which is reported only at the end. */
  if ((cmd->kind == CMD_LIST || cmd->kind == CMD_UIDL) &&
      !listing_within_bounds (self, ++cmd->n_listed))
    return;
  if (cmd->deferred != NULL)
    return;

  switch (cmd->kind)
    {
    case CMD_CAPA:
      pf_transcript_add_reply (self->transcript, line, len, self->tls_active);
      if (!pf_capabilities_add_line (cmd->caps, line, &error))
        cmd->deferred = g_steal_pointer (&error);
      break;

    case CMD_LIST:
      {
        PfListEntry entry;

        if (pf_pop3_parse_list_line (line, &entry.msgno, &entry.size, &error))
          g_array_append_val (cmd->entries, entry);
        else
          cmd->deferred = g_steal_pointer (&error);
      }
      break;

    case CMD_UIDL:
      {
        guint msgno;
        g_autofree char *uid = NULL;

        if (pf_pop3_parse_uidl_line (line, &msgno, &uid, &error))
          pf_uidl_list_append (cmd->uidl, msgno, uid, strlen (uid));
        else
          cmd->deferred = g_steal_pointer (&error);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
handle_end (PfPop3Client *self)
{
  Command *cmd = pop_inflight (self);

  _pf_pop3_client_clear_source (&self->stall_source);
  if (cmd->kind != CMD_CAPA)
    pf_transcript_add_data (self->transcript, cmd->bytes, self->tls_active);
  else
    pf_transcript_add_reply (self->transcript, ".", 1, self->tls_active);

  if (cmd->overrun)
    {
      /* The data ended short of the byte cap yet past its listed size:
       * a framing error. The next reply may be inside what was read, so
       * the session cannot go on. */
      g_autoptr(GError) error = g_steal_pointer (&cmd->deferred);

      g_queue_push_head (&self->inflight, cmd);
      _pf_pop3_client_fail_all (self, error);
      return;
    }

  if (cmd->kind == CMD_UIDL && cmd->deferred == NULL)
    {
      const char *duplicate;
      guint twice;

      pf_uidl_list_trim (cmd->uidl);
      duplicate = pf_uidl_list_find_duplicate (cmd->uidl);
      twice = pf_uidl_list_find_duplicate_msgno (cmd->uidl);
      if (duplicate != NULL)
        cmd->deferred = g_error_new (PF_ERROR, PF_ERROR_PROTOCOL,
                                     "The server gave the unique-id “%s” to two messages",
                                     duplicate);
      else if (twice != 0)
        cmd->deferred = g_error_new (PF_ERROR, PF_ERROR_PROTOCOL,
                                     "The server listed message %u twice", twice);
    }

  if (cmd->kind == CMD_LIST && cmd->deferred == NULL)
    {
      guint twice = pf_pop3_find_duplicate_msgno (cmd->entries->data, cmd->entries->len,
                                                  g_array_get_element_size (cmd->entries));

      if (twice != 0)
        cmd->deferred = g_error_new (PF_ERROR, PF_ERROR_PROTOCOL,
                                     "The server listed message %u twice", twice);
    }

  if (cmd->deferred != NULL)
    {
      g_autoptr(GError) error = g_steal_pointer (&cmd->deferred);

      _pf_pop3_client_command_return_error (cmd, error);
      return;
    }
  _pf_pop3_client_command_return_ok (cmd);
}

static guint64
count_line_ends (const char *data,
                 gsize       len)
{
  const char *end = data + len;
  guint64 n = 0;

  while ((data = memchr (data, '\n', end - data)) != NULL)
    {
      n++;
      data++;
    }
  return n;
}

/* FALSE when the data went past its bounds and the session was ended. */
static gboolean
check_data_bounds (PfPop3Client *self,
                   Command      *cmd)
{
  if (cmd->byte_cap > 0 && cmd->bytes > cmd->byte_cap)
    {
      g_autoptr(GError) error =
        g_error_new (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                     "Message data ran past %" G_GUINT64_FORMAT " bytes, the size limit "
                     "(the server listed %" G_GINT64_FORMAT ")", cmd->byte_cap, cmd->listed_size);

      /* Stop reading it: the session ends without QUIT. */
      _pf_pop3_client_fail_all (self, error);
      return FALSE;
    }

  if (cmd->overrun || cmd->listed_size < 0
      || pf_pop3_data_fits_listed_size (cmd->listed_size, cmd->bytes, cmd->lines))
    return TRUE;

  g_clear_error (&cmd->deferred);
  cmd->deferred = g_error_new (PF_ERROR, PF_ERROR_PROTOCOL,
                               "Message data ran past the %" G_GINT64_FORMAT " bytes the server "
                               "listed for it (a broken end of message or a wrong size)",
                               cmd->listed_size);
  g_clear_object (&cmd->sink);
  if (cmd->byte_cap > 0)
    {
      /* A size lie or a framing error: only the end can tell. Read on
       * without storing, up to the cap, to say which. */
      cmd->overrun = TRUE;
      return TRUE;
    }
  {
    g_autoptr(GError) error = g_error_copy (cmd->deferred);

    _pf_pop3_client_fail_all (self, error);
  }
  return FALSE;
}

static void process_after_sink (PfPop3Client *self);

static void
on_sink_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PfPop3Client) self = user_data;
  g_autoptr(GError) error = NULL;
  Command *cmd;

  self->sink_busy = FALSE;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error) &&
      !self->closed)
    {
      cmd = g_queue_peek_head (&self->inflight);
      if (cmd != NULL && cmd->deferred == NULL)
        cmd->deferred = g_error_new (PF_ERROR, PF_ERROR_LOCAL_DISK, "%s", error->message);
      if (cmd != NULL)
        g_clear_object (&cmd->sink);
    }
  process_after_sink (self);
}

/* TRUE when the chunk went out at once; FALSE when an async write is on
 * its way and processing resumes in on_sink_written(). */
static gboolean
handle_data_chunk (PfPop3Client *self,
                   Command      *cmd,
                   const char   *data,
                   gsize         len)
{
  g_autoptr(GError) error = NULL;

  cmd->bytes += len;
  if (cmd->listed_size >= 0 || cmd->byte_cap > 0)
    {
      cmd->lines += count_line_ends (data, len);
      if (!check_data_bounds (self, cmd))
        return TRUE;
    }
  if (cmd->listed_size >= 0 && !cmd->overrun &&
      pf_pop3_glued_reply_scan (&cmd->glued, cmd->listed_size, data, len))
    {
      g_autoptr(GError) glued =
        g_error_new (PF_ERROR, PF_ERROR_PROTOCOL,
                     "Message data ran on into the server's next reply after the %"
                     G_GINT64_FORMAT " bytes it listed (the message's end lacks a line "
                     "break before its dot)", cmd->listed_size);

      /* The replies after it are out of step: the session cannot go on. */
      g_clear_object (&cmd->sink);
      _pf_pop3_client_fail_all (self, glued);
      return TRUE;
    }
  if (cmd->sink == NULL || cmd->deferred != NULL)
    return TRUE;

  /* A pollable sink (memory, or a Maildir file that writes to the page
   * cache) takes the chunk at once, in this iteration; anything else (or
   * the rest, should it say "would block") goes through the stream's async
   * path so the main loop never waits on a disk. */
  if (G_IS_POLLABLE_OUTPUT_STREAM (cmd->sink) &&
      g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (cmd->sink)))
    {
      while (len > 0)
        {
          gssize n = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (cmd->sink),
                                                                 data, len, NULL, &error);

          if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              g_clear_error (&error);
              break;
            }
          if (n < 0)
            {
              cmd->deferred = g_error_new (PF_ERROR, PF_ERROR_LOCAL_DISK, "%s", error->message);
              g_clear_object (&cmd->sink);
              return TRUE;
            }
          data += n;
          len -= n;
        }
      if (len == 0)
        return TRUE;
    }

  self->sink_busy = TRUE;
  self->window_paused = TRUE;
  g_output_stream_write_all_async (cmd->sink, data, len, G_PRIORITY_DEFAULT, NULL,
                                   on_sink_written, g_object_ref (self));
  return FALSE;
}

/* The read loop's body: everything the buffer holds, then read again. */
void
_pf_pop3_client_process (PfPop3Client *self)
{
  g_object_ref (self);
  self->processing = TRUE;

  while (!self->closed && !self->sink_busy)
    {
      g_autoptr(GError) error = NULL;
      const char *data;
      gsize len;
      PfLineReaderResult r;
      Command *cmd = g_queue_peek_head (&self->inflight);

      if (cmd == NULL)
        {
          if (pf_line_reader_get_buffered (self->reader) > 0)
            protocol_error (self, "The server sent data nobody asked for");
          break;
        }

      r = pf_line_reader_next (self->reader, &data, &len, &error);
      if (r == PF_LINE_READER_NEED_MORE)
        break;

      switch (r)
        {
        case PF_LINE_READER_ERROR:
          _pf_pop3_client_fail_all (self, error);
          break;
        case PF_LINE_READER_LINE:
          if (pf_line_reader_get_mode (self->reader) == PF_LINE_MODE_LINES)
            handle_data_line (self, cmd, data, len);
          else
            handle_status_line (self, data, len);
          break;
        case PF_LINE_READER_DATA:
          handle_data_chunk (self, cmd, data, len);
          break;
        case PF_LINE_READER_END:
          handle_end (self);
          break;
        case PF_LINE_READER_NEED_MORE:
        default:
          g_assert_not_reached ();
        }
    }

  self->processing = FALSE;
  if (!self->closed && !self->sink_busy)
    {
      _pf_pop3_client_schedule_flush (self);
      _pf_pop3_client_start_reading (self);
    }
  g_object_unref (self);
}

static void
process_after_sink (PfPop3Client *self)
{
  if (self->closed)
    {
      _pf_pop3_client_close_stream (self);
      return;
    }
  _pf_pop3_client_process (self);
}
