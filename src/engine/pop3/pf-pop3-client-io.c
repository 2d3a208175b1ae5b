/* pf-pop3-client-io.c — the session's queues, timeouts, writing and reading
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
/* Small helpers                                                          */

char *
pf_certificate_sha256 (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

void
_pf_pop3_client_wipe_bytes (GBytes *bytes)
{
  gsize len = 0;
  guint8 *data;

  if (bytes == NULL)
    return;
  /* Our own copy when someone else still holds a reference. */
  data = g_bytes_unref_to_data (bytes, &len);
  /* Empty bytes may have no data at all: explicit_bzero wants a pointer. */
  if (data != NULL)
    explicit_bzero (data, len);
  g_free (data);
}

static void
command_free (Command *cmd)
{
  g_assert (cmd->task == NULL);
  g_assert (cmd->cancel_source == NULL);
  pf_wipe_string (cmd->line);
  g_free (cmd->text);
  g_clear_pointer (&cmd->caps, pf_capabilities_free);
  g_clear_pointer (&cmd->entries, g_array_unref);
  g_clear_pointer (&cmd->uidl, pf_uidl_list_unref);
  g_clear_object (&cmd->sink);
  g_clear_error (&cmd->deferred);
  g_clear_pointer (&cmd->sasl, pf_sasl_free);
  g_clear_pointer (&cmd->pending_ir, _pf_pop3_client_wipe_bytes);
  g_free (cmd);
}

static GTask *
command_steal_task (Command *cmd)
{
  if (cmd->cancel_source != NULL)
    {
      g_source_destroy (cmd->cancel_source);
      g_clear_pointer (&cmd->cancel_source, g_source_unref);
    }
  return g_steal_pointer (&cmd->task);
}

void
_pf_pop3_client_command_return_error (Command      *cmd,
                      const GError *error)
{
  g_autoptr(GTask) task = command_steal_task (cmd);

  if (task != NULL)
    g_task_return_error (task, g_error_copy (error));
  command_free (cmd);
}

/* Takes ownership of @cmd: the task gets it as task data on success. */
void
_pf_pop3_client_command_return_ok (Command *cmd)
{
  g_autoptr(GTask) task = command_steal_task (cmd);

  if (task == NULL)
    {
      command_free (cmd);
      return;
    }
  g_task_set_task_data (task, cmd, (GDestroyNotify) command_free);
  g_task_return_boolean (task, TRUE);
}

static PfErrorCode
code_to_error (PfPop3Code  code,
               PfErrorCode fallback)
{
  switch (code)
    {
    case PF_POP3_CODE_IN_USE:
      return PF_ERROR_IN_USE;
    case PF_POP3_CODE_LOGIN_DELAY:
      return PF_ERROR_LOGIN_DELAY;
    case PF_POP3_CODE_SYS_TEMP:
      return PF_ERROR_SYS_TEMP;
    case PF_POP3_CODE_SYS_PERM:
      return PF_ERROR_SYS_PERM;
    case PF_POP3_CODE_AUTH:
      return PF_ERROR_AUTH_REJECTED;
    case PF_POP3_CODE_NONE:
    case PF_POP3_CODE_UTF8:
    case PF_POP3_CODE_OTHER:
    default:
      return fallback;
    }
}

/* The -ERR as an error: the code classifies, the message is the server's
 * own (sanitised) text so the explanation can quote it. */
GError *
_pf_pop3_client_reply_to_error (const PfPop3Reply *reply,
                PfErrorCode        fallback)
{
  const char *text = reply->text != NULL && reply->text[0] != '\0'
                       ? reply->text : "The server answered -ERR without text";

  return g_error_new_literal (PF_ERROR, code_to_error (reply->code, fallback), text);
}

/* GIO's view of a failed connect or I/O, classified the way a user needs. */
GError *
_pf_pop3_client_io_error_to_pf (const GError *error,
                PfErrorCode   fallback)
{
  PfErrorCode code = fallback;

  if (error->domain == PF_ERROR)
    return g_error_copy (error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  if (error->domain == G_RESOLVER_ERROR)
    code = PF_ERROR_RESOLVE;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    code = PF_ERROR_REFUSED;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    code = PF_ERROR_TIMEOUT;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    code = PF_ERROR_RESOLVE;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
           g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_EOF))
    code = PF_ERROR_CLOSED;
  else if (error->domain == G_TLS_ERROR)
    code = PF_ERROR_TLS_HANDSHAKE;

  return g_error_new (PF_ERROR, code, "%s", error->message);
}

/* ---------------------------------------------------------------------- */
/* Timeouts                                                               */

static gboolean
on_timeout (gpointer user_data)
{
  PfPop3Client *self = user_data;

  g_clear_pointer (&self->timeout_source, g_source_unref);
  self->timed_out = TRUE;
  g_cancellable_cancel (self->io_cancellable);
  return G_SOURCE_REMOVE;
}

void
_pf_pop3_client_arm_timeout (PfPop3Client *self)
{
  if (self->timeout_source != NULL)
    {
      g_source_destroy (self->timeout_source);
      g_clear_pointer (&self->timeout_source, g_source_unref);
    }
  if (self->timeout == 0)
    return;
  self->timeout_source = g_timeout_source_new_seconds (self->timeout);
  g_source_set_callback (self->timeout_source, on_timeout, self, NULL);
  g_source_attach (self->timeout_source, g_main_context_get_thread_default ());
}

void
_pf_pop3_client_disarm_timeout (PfPop3Client *self)
{
  if (self->timeout_source != NULL)
    {
      g_source_destroy (self->timeout_source);
      g_clear_pointer (&self->timeout_source, g_source_unref);
    }
}

/* The read timeout above restarts with every read, so a server that sends
 * a byte now and then would meet it forever. Two more clocks do not
 * restart: a status line (greeting, reply, continuation) must be complete
 * within the timeout from the moment it is awaited, and a multi-line
 * answer must bring STALL_MIN_BYTES in every stall window. Both fail the
 * session directly, whether a read is on its way or not. */
void
_pf_pop3_client_clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static gboolean
on_line_deadline (gpointer user_data)
{
  PfPop3Client *self = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->line_source, g_source_unref);
  error = g_error_new (PF_ERROR, PF_ERROR_TIMEOUT,
                       "The server did not complete its status line within %u seconds",
                       self->timeout);
  _pf_pop3_client_fail_all (self, error);
  return G_SOURCE_REMOVE;
}

static void
arm_line_deadline (PfPop3Client *self)
{
  if (self->line_source != NULL || self->timeout == 0)
    return;
  self->line_source = g_timeout_source_new_seconds (self->timeout);
  g_source_set_callback (self->line_source, on_line_deadline, self, NULL);
  g_source_attach (self->line_source, g_main_context_get_thread_default ());
}

static gboolean
on_stall_window (gpointer user_data)
{
  PfPop3Client *self = user_data;
  g_autoptr(GError) error = NULL;

  /* Time we spent not reading (our sink was busy) is not the server's. */
  if (self->window_bytes >= STALL_MIN_BYTES || self->window_paused || self->sink_busy)
    {
      self->window_bytes = 0;
      self->window_paused = self->sink_busy;
      return G_SOURCE_CONTINUE;
    }
  g_clear_pointer (&self->stall_source, g_source_unref);
  error = g_error_new (PF_ERROR, PF_ERROR_TIMEOUT,
                       "The transfer stalled: the server sent less than %u bytes in %u seconds",
                       STALL_MIN_BYTES, self->stall_window);
  _pf_pop3_client_fail_all (self, error);
  return G_SOURCE_REMOVE;
}

static void
arm_stall_window (PfPop3Client *self)
{
  if (self->stall_source != NULL || self->stall_window == 0)
    return;
  self->window_bytes = 0;
  self->window_paused = FALSE;
  self->stall_source = g_timeout_source_new_seconds (self->stall_window);
  g_source_set_callback (self->stall_source, on_stall_window, self, NULL);
  g_source_attach (self->stall_source, g_main_context_get_thread_default ());
}

void
_pf_pop3_client_disarm_deadlines (PfPop3Client *self)
{
  _pf_pop3_client_clear_source (&self->line_source);
  _pf_pop3_client_clear_source (&self->stall_source);
}

/* An I/O error from a read, write or handshake; a cancellation caused by
 * our timer reads as PF_ERROR_TIMEOUT. */
GError *
_pf_pop3_client_classify_io_error (PfPop3Client *self,
                   const GError *error)
{
  if (self->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_new (PF_ERROR, PF_ERROR_TIMEOUT,
                        "The server did not answer within %u seconds", self->timeout);
  if (self->closed && self->fatal_error != NULL)
    return g_error_copy (self->fatal_error);
  return _pf_pop3_client_io_error_to_pf (error, PF_ERROR_CLOSED);
}

static GError *
closed_error (void)
{
  return g_error_new_literal (PF_ERROR, PF_ERROR_CLOSED, "The server closed the connection");
}

/* ---------------------------------------------------------------------- */
/* Closing                                                                */

/* The handler is connected plainly and disconnected here, not tied to
 * this object with g_signal_connect_object(): glib-networking may drop
 * its last reference to the connection in its handshake thread, and a
 * GLib 2.74 object-bound handler then races this object's finalization
 * (an assertion in gsignal.c's invalid_closure_notify). */
void
_pf_pop3_client_drop_tls (PfPop3Client *self)
{
  if (self->tls != NULL)
    g_clear_signal_handler (&self->accept_certificate_id, self->tls);
  g_clear_object (&self->tls);
}

void
_pf_pop3_client_close_stream (PfPop3Client *self)
{
  g_autoptr(GIOStream) stream = g_steal_pointer (&self->stream);

  if (stream == NULL || self->reading || self->writing)
    {
      /* Put it back: the pending operation closes it when it returns. */
      if (stream != NULL)
        self->stream = g_steal_pointer (&stream);
      return;
    }
  _pf_pop3_client_disarm_timeout (self);
  _pf_pop3_client_disarm_deadlines (self);
  /* A socket close is immediate; TLS close_notify is not awaited. */
  g_io_stream_close_async (stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  _pf_pop3_client_drop_tls (self);
  g_clear_object (&self->connection);
}

void
_pf_pop3_client_fail_all (PfPop3Client *self,
          const GError *error)
{
  GQueue inflight = G_QUEUE_INIT;
  GQueue pending = G_QUEUE_INIT;
  Command *cmd;

  g_object_ref (self);

  if (!self->closed)
    {
      self->closed = TRUE;
      g_clear_error (&self->fatal_error);
      self->fatal_error = g_error_copy (error);
      pf_transcript_add_info (self->transcript, "Session ended: %s", error->message);
    }
  g_cancellable_cancel (self->io_cancellable);
  _pf_pop3_client_disarm_timeout (self);
  _pf_pop3_client_disarm_deadlines (self);
  g_clear_handle_id (&self->flush_idle, g_source_remove);

  /* Steal first: callbacks may call back into the client. */
  inflight = self->inflight;
  pending = self->pending;
  g_queue_init (&self->inflight);
  g_queue_init (&self->pending);

  while ((cmd = g_queue_pop_head (&inflight)) != NULL)
    _pf_pop3_client_command_return_error (cmd, error);
  while ((cmd = g_queue_pop_head (&pending)) != NULL)
    _pf_pop3_client_command_return_error (cmd, error);

  _pf_pop3_client_close_stream (self);
  g_object_unref (self);
}

void
pf_pop3_client_close (PfPop3Client *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PF_IS_POP3_CLIENT (self));

  if (self->closed)
    {
      _pf_pop3_client_close_stream (self);
      return;
    }
  error = g_error_new_literal (PF_ERROR, PF_ERROR_CLOSED, "The connection was closed");
  _pf_pop3_client_fail_all (self, error);
}

void
pf_pop3_client_drop_pending (PfPop3Client *self,
                             const GError *error)
{
  GQueue pending;
  Command *cmd;

  g_return_if_fail (PF_IS_POP3_CLIENT (self));
  g_return_if_fail (error != NULL);

  g_object_ref (self);
  /* Steal first: a callback may queue a new command (QUIT), which stays. */
  pending = self->pending;
  g_queue_init (&self->pending);
  while ((cmd = g_queue_pop_head (&pending)) != NULL)
    _pf_pop3_client_command_return_error (cmd, error);
  g_object_unref (self);
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                */

static gboolean
can_send (PfPop3Client *self,
          Command      *cmd)
{
  Command *last;

  if (g_queue_is_empty (&self->inflight))
    return TRUE;
  last = g_queue_peek_tail (&self->inflight);
  if (cmd->barrier || last->barrier)
    return FALSE;
  if (!pf_pop3_client_get_pipelining (self))
    return FALSE;
  return g_queue_get_length (&self->inflight) < self->pipeline_window;
}


static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PfPop3Client) self = user_data;
  g_autoptr(GError) error = NULL;

  self->writing = FALSE;
  explicit_bzero (self->outbuf->str, self->outbuf->len);
  g_string_truncate (self->outbuf, 0);

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_autoptr(GError) pf_error = _pf_pop3_client_classify_io_error (self, error);

      _pf_pop3_client_fail_all (self, pf_error);
      return;
    }
  if (self->closed)
    {
      _pf_pop3_client_close_stream (self);
      return;
    }
  _pf_pop3_client_schedule_flush (self);
}

static void
write_outbuf (PfPop3Client *self)
{
  if (self->writing || self->outbuf->len == 0 || self->stream == NULL)
    return;
  self->writing = TRUE;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream),
                                   self->outbuf->str, self->outbuf->len,
                                   G_PRIORITY_DEFAULT, self->io_cancellable,
                                   on_written, g_object_ref (self));
}

/* Move what the window allows from pending to in flight, in one write. */
static void
flush (PfPop3Client *self)
{
  Command *cmd;

  if (self->closed || self->writing || self->stream == NULL)
    return;

  while ((cmd = g_queue_peek_head (&self->pending)) != NULL && can_send (self, cmd))
    {
      g_queue_pop_head (&self->pending);
      g_queue_push_tail (&self->inflight, cmd);
      if (cmd->line != NULL)
        {
          pf_transcript_add_command (self->transcript, cmd->line, self->tls_active, FALSE);
          g_string_append (self->outbuf, cmd->line);
          g_string_append (self->outbuf, "\r\n");
        }
    }

  write_outbuf (self);
  _pf_pop3_client_start_reading (self);
}

static gboolean
flush_idle_cb (gpointer user_data)
{
  PfPop3Client *self = user_data;

  self->flush_idle = 0;
  flush (self);
  return G_SOURCE_REMOVE;
}

/* Commands queued in the same main-loop iteration go out in one write. */
void
_pf_pop3_client_schedule_flush (PfPop3Client *self)
{
  if (self->flush_idle != 0 || self->closed || g_queue_is_empty (&self->pending))
    return;
  self->flush_idle = g_idle_add_full (G_PRIORITY_DEFAULT, flush_idle_cb,
                                      g_object_ref (self), g_object_unref);
}

/* A SASL continuation answer, written at once (AUTH is alone in flight). */
void
_pf_pop3_client_send_continuation (PfPop3Client *self,
                   const char   *line)
{
  pf_transcript_add_command (self->transcript, line, self->tls_active, TRUE);
  g_string_append (self->outbuf, line);
  g_string_append (self->outbuf, "\r\n");
  write_outbuf (self);
}

/* ---------------------------------------------------------------------- */
/* Reading                                                                */

/* After a read completes, take whatever else is ready now, without
 * waiting, up to @room bytes in all. A TLS stream gives one record per read
 * (Dovecot sends 4 KiB records), so one main-loop turn per read would cost
 * more than the decryption itself; this fills the buffer in one turn. An
 * error or the end of the stream is kept for after the bytes before it were
 * processed. */
static void
drain_ready (PfPop3Client *self,
             gsize         room)
{
  GInputStream *input = g_io_stream_get_input_stream (self->stream);

  if (!G_IS_POLLABLE_INPUT_STREAM (input) ||
      !g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (input)))
    return;

  while (room > 0 && self->read_error == NULL)
    {
      g_autoptr(GError) error = NULL;
      guint8 *space = pf_line_reader_get_space (self->reader, room);
      gssize n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (input),
                                                          space, room,
                                                          self->io_cancellable, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      if (n < 0)
        self->read_error = _pf_pop3_client_classify_io_error (self, error);
      else if (n == 0)
        self->read_error = closed_error ();
      else
        {
          pf_line_reader_commit (self->reader, n);
          self->window_bytes += n;
          room -= n;
        }
    }
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PfPop3Client) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;

  self->reading = FALSE;
  _pf_pop3_client_disarm_timeout (self);
  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (self->closed)
    {
      _pf_pop3_client_close_stream (self);
      return;
    }
  if (n < 0)
    {
      g_autoptr(GError) pf_error = _pf_pop3_client_classify_io_error (self, error);

      _pf_pop3_client_fail_all (self, pf_error);
      return;
    }
  if (n == 0)
    {
      g_autoptr(GError) closed = closed_error ();

      _pf_pop3_client_fail_all (self, closed);
      return;
    }

  pf_line_reader_commit (self->reader, n);
  self->window_bytes += n;
  drain_ready (self, READ_SIZE - n);
  _pf_pop3_client_process (self);
}

void
_pf_pop3_client_start_reading (PfPop3Client *self)
{
  guint8 *space;

  if (self->reading || self->sink_busy || self->processing || self->closed ||
      self->stream == NULL || g_queue_is_empty (&self->inflight))
    return;

  if (self->read_error != NULL)
    {
      g_autoptr(GError) error = g_steal_pointer (&self->read_error);

      _pf_pop3_client_fail_all (self, error);
      return;
    }

  space = pf_line_reader_get_space (self->reader, READ_SIZE);
  self->reading = TRUE;
  _pf_pop3_client_arm_timeout (self);
  if (pf_line_reader_get_mode (self->reader) == PF_LINE_MODE_STATUS)
    arm_line_deadline (self);
  else
    arm_stall_window (self);
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream),
                             space, READ_SIZE, G_PRIORITY_DEFAULT,
                             self->io_cancellable, on_read, g_object_ref (self));
}

/* ---------------------------------------------------------------------- */
/* Submitting commands                                                    */

/* Each command watches its own cancellable. Several commands may share
 * one (a fetch passes the same to every RETR), so the callback works on
 * the command whose source fired, never on the first match in a queue: a
 * queued command's source firing first must not leave the one on the wire
 * waiting for its read timeout. */
static gboolean
on_command_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  Command *cmd = user_data;
  g_autoptr(PfPop3Client) self = g_object_ref (g_task_get_source_object (cmd->task));
  g_autoptr(GError) error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  if (g_queue_remove (&self->pending, cmd))
    {
      /* Not sent yet: just drop it. */
      _pf_pop3_client_command_return_error (cmd, error);
    }
  else
    {
      /* Already on the wire: the answer cannot be unread, end the session. */
      _pf_pop3_client_fail_all (self, error);
    }
  return G_SOURCE_REMOVE;
}

Command *
_pf_pop3_client_command_new (PfPop3Client *self,
             CommandKind   kind,
             char         *line,
             GCancellable *cancellable,
             gpointer      source_tag,
             GAsyncReadyCallback callback,
             gpointer      user_data)
{
  Command *cmd = g_new0 (Command, 1);

  cmd->kind = kind;
  cmd->line = line;
  cmd->listed_size = -1;
  cmd->err_fallback = PF_ERROR_SERVER;
  cmd->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (cmd->task, source_tag);
  if (cancellable != NULL)
    {
      cmd->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (cmd->cancel_source, (GSourceFunc) (void (*) (void)) on_command_cancelled,
                             cmd, NULL);
      g_source_attach (cmd->cancel_source, g_main_context_get_thread_default ());
    }
  return cmd;
}

void
_pf_pop3_client_submit (PfPop3Client *self,
        Command      *cmd)
{
  g_autoptr(GError) error = NULL;

  if (g_task_return_error_if_cancelled (cmd->task))
    {
      g_clear_object (&cmd->task);
      if (cmd->cancel_source != NULL)
        {
          g_source_destroy (cmd->cancel_source);
          g_clear_pointer (&cmd->cancel_source, g_source_unref);
        }
      command_free (cmd);
      return;
    }

  if (self->closed || self->stream == NULL)
    {
      if (self->fatal_error != NULL)
        error = g_error_copy (self->fatal_error);
      else
        error = g_error_new_literal (PF_ERROR, PF_ERROR_CLOSED, "Not connected to the server");
      _pf_pop3_client_command_return_error (cmd, error);
      return;
    }

  if (cmd->kind == CMD_GREETING)
    g_queue_push_tail (&self->inflight, cmd);
  else
    g_queue_push_tail (&self->pending, cmd);

  if (cmd->kind == CMD_GREETING || !self->processing)
    {
      /* Outside the read loop (or for the greeting, which sends nothing)
       * batch in an idle; inside, _pf_pop3_client_process() flushes when it is done. */
      _pf_pop3_client_schedule_flush (self);
      _pf_pop3_client_start_reading (self);
    }
}

/* The Command of a finished task, or NULL with @error set. */
Command *
_pf_pop3_client_finish_command (PfPop3Client *self,
                GAsyncResult *result,
                gpointer      source_tag,
                GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  return g_task_get_task_data (G_TASK (result));
}
