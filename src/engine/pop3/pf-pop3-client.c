/* pf-pop3-client.c — one POP3 session, GIO-async
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "pf-error.h"
#include "pf-line-reader.h"
#include "pf-pop3-client.h"

/* One read takes what the socket has, up to this much: a whole batch of
 * pipelined small messages arrives in one go and is parsed in place. */
#define READ_SIZE (64 * 1024)
#define DEFAULT_TIMEOUT 30
#define DEFAULT_PIPELINE_WINDOW 256
/* A multi-line answer (RETR, TOP, LIST, UIDL, CAPA) that brings less than
 * STALL_MIN_BYTES in a stall window is abandoned, like curl's
 * --speed-limit 1024 --speed-time 60: a server that trickles a byte now and
 * then would otherwise never meet the read timeout. */
#define DEFAULT_STALL_WINDOW 60
#define STALL_MIN_BYTES 1024
/* RFC 5034: an AUTH command with its initial response fits 255 octets. */
#define MAX_AUTH_LINE 255

typedef enum
{
  CMD_GREETING,   /* no line sent: the server speaks first */
  CMD_CAPA,
  CMD_STLS,
  CMD_SIMPLE,     /* USER, PASS, APOP, DELE, RSET, NOOP, QUIT */
  CMD_STAT,
  CMD_LIST,
  CMD_UIDL,
  CMD_RETR,
  CMD_AUTH,
} CommandKind;

typedef struct _Command Command;

struct _Command
{
  CommandKind    kind;
  char          *line;         /* without CRLF; NULL for the greeting */
  gboolean       barrier;      /* sent alone, nothing after it until answered */
  PfErrorCode    err_fallback; /* code for a plain -ERR */
  GTask         *task;
  GSource       *cancel_source;

  /* Answers */
  char          *text;         /* sanitised status text of the +OK */
  PfCapabilities *caps;
  GArray        *entries;      /* LIST */
  PfUidlList    *uidl;
  GOutputStream *sink;
  guint64        bytes;
  guint          n_listed;     /* LIST / UIDL lines so far */
  guint64        lines;        /* line ends in the data so far */
  gint64         listed_size;  /* RETR: what LIST said, or -1 */
  guint64        byte_cap;     /* RETR: stop past this many bytes; 0: none */
  gboolean       overrun;      /* past listed_size: discarding up to byte_cap */
  GError        *deferred;     /* a bad line or sink failure: report at the end */

  /* AUTH */
  PfSasl        *sasl;
  GBytes        *pending_ir;   /* initial response too long for the AUTH line */
};

struct _PfPop3Client
{
  GObject             parent_instance;

  /* Read from "settings" at construction; the fields below are its
   * values, as the session uses them. */
  PfServerSettings   *settings;
  char               *host;
  guint16             port;
  PfSecurity          security;
  guint               timeout;
  char               *server_identity;
  char               *pinned_fingerprint;
  GTlsDatabase       *tls_database;
  gboolean            allow_plaintext_auth;
  guint               pipeline_window;
  guint               stall_window;
  guint               max_listing;

  PfTranscript       *transcript;

  GSocketConnection  *connection;
  GIOStream          *stream;       /* connection, or the TLS connection over it */
  GTlsConnection     *tls;
  gulong              accept_certificate_id;
  GCancellable       *io_cancellable;
  GSource            *timeout_source;
  gboolean            timed_out;
  GSource            *line_source;  /* a status line is awaited: its deadline */
  GSource            *stall_source; /* a multi-line answer arrives: its window */
  guint64             window_bytes; /* received in the current stall window */
  gboolean            window_paused; /* we stopped reading (sink busy) in it */
  gboolean            closed;
  gboolean            connected;
  GError             *fatal_error;

  PfLineReader       *reader;
  GQueue              pending;      /* Command*, not yet written */
  GQueue              inflight;     /* Command*, written, awaiting an answer */
  GString            *outbuf;       /* bytes being written */
  gboolean            writing;
  gboolean            reading;
  GError             *read_error;   /* found while draining, due after the bytes before it */
  gboolean            sink_busy;    /* a data chunk is being written to a sink */
  guint               flush_idle;
  gboolean            processing;

  char               *greeting;
  char               *apop_timestamp;
  PfCapabilities     *caps;
  gboolean            capa_ok;
  gboolean            tls_active;
  GTlsCertificate    *peer_certificate;
  GTlsCertificateFlags peer_errors;
  gboolean            pin_accepted;
  gint64              stat_count;   /* messages STAT counted this session, or -1 */
};

G_DEFINE_FINAL_TYPE (PfPop3Client, pf_pop3_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_PIPELINE_WINDOW,
  PROP_TLS_ACTIVE,
  PROP_STALL_WINDOW,
  PROP_MAX_LISTING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void process          (PfPop3Client *self);
static void schedule_flush   (PfPop3Client *self);
static void fail_all         (PfPop3Client *self,
                              const GError *error);

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

/* Lines that carried PASS or an AUTH payload, and the SASL responses,
 * are wiped before their memory goes back to the allocator. */
typedef char PfWipedText;
typedef GBytes PfWipedBytes;

static void
wipe_text (char *text)
{
  if (text == NULL)
    return;
  explicit_bzero (text, strlen (text));
  g_free (text);
}

static void
wipe_bytes (GBytes *bytes)
{
  gsize len = 0;
  guint8 *data;

  if (bytes == NULL)
    return;
  /* Our own copy when someone else still holds a reference. */
  data = g_bytes_unref_to_data (bytes, &len);
  explicit_bzero (data, len);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfWipedText, wipe_text)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfWipedBytes, wipe_bytes)

static void
command_free (Command *cmd)
{
  g_assert (cmd->task == NULL);
  g_assert (cmd->cancel_source == NULL);
  wipe_text (cmd->line);
  g_free (cmd->text);
  g_clear_pointer (&cmd->caps, pf_capabilities_free);
  g_clear_pointer (&cmd->entries, g_array_unref);
  g_clear_pointer (&cmd->uidl, pf_uidl_list_unref);
  g_clear_object (&cmd->sink);
  g_clear_error (&cmd->deferred);
  g_clear_pointer (&cmd->sasl, pf_sasl_free);
  g_clear_pointer (&cmd->pending_ir, wipe_bytes);
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

static void
command_return_error (Command      *cmd,
                      const GError *error)
{
  g_autoptr(GTask) task = command_steal_task (cmd);

  if (task != NULL)
    g_task_return_error (task, g_error_copy (error));
  command_free (cmd);
}

/* Takes ownership of @cmd: the task gets it as task data on success. */
static void
command_return_ok (Command *cmd)
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
static GError *
reply_to_error (const PfPop3Reply *reply,
                PfErrorCode        fallback)
{
  const char *text = reply->text != NULL && reply->text[0] != '\0'
                       ? reply->text : "The server answered -ERR without text";

  return g_error_new_literal (PF_ERROR, code_to_error (reply->code, fallback), text);
}

/* GIO's view of a failed connect or I/O, classified the way a user needs. */
static GError *
io_error_to_pf (const GError *error,
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

static void
arm_timeout (PfPop3Client *self)
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

static void
disarm_timeout (PfPop3Client *self)
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
static void
clear_source (GSource **source)
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
  fail_all (self, error);
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
  fail_all (self, error);
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

static void
disarm_deadlines (PfPop3Client *self)
{
  clear_source (&self->line_source);
  clear_source (&self->stall_source);
}

/* An I/O error from a read, write or handshake; a cancellation caused by
 * our timer reads as PF_ERROR_TIMEOUT. */
static GError *
classify_io_error (PfPop3Client *self,
                   const GError *error)
{
  if (self->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_new (PF_ERROR, PF_ERROR_TIMEOUT,
                        "The server did not answer within %u seconds", self->timeout);
  if (self->closed && self->fatal_error != NULL)
    return g_error_copy (self->fatal_error);
  return io_error_to_pf (error, PF_ERROR_CLOSED);
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
static void
drop_tls (PfPop3Client *self)
{
  if (self->tls != NULL)
    g_clear_signal_handler (&self->accept_certificate_id, self->tls);
  g_clear_object (&self->tls);
}

static void
close_stream (PfPop3Client *self)
{
  g_autoptr(GIOStream) stream = g_steal_pointer (&self->stream);

  if (stream == NULL || self->reading || self->writing)
    {
      /* Put it back: the pending operation closes it when it returns. */
      if (stream != NULL)
        self->stream = g_steal_pointer (&stream);
      return;
    }
  disarm_timeout (self);
  disarm_deadlines (self);
  /* A socket close is immediate; TLS close_notify is not awaited. */
  g_io_stream_close_async (stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  drop_tls (self);
  g_clear_object (&self->connection);
}

static void
fail_all (PfPop3Client *self,
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
  disarm_timeout (self);
  disarm_deadlines (self);
  g_clear_handle_id (&self->flush_idle, g_source_remove);

  /* Steal first: callbacks may call back into the client. */
  inflight = self->inflight;
  pending = self->pending;
  g_queue_init (&self->inflight);
  g_queue_init (&self->pending);

  while ((cmd = g_queue_pop_head (&inflight)) != NULL)
    command_return_error (cmd, error);
  while ((cmd = g_queue_pop_head (&pending)) != NULL)
    command_return_error (cmd, error);

  close_stream (self);
  g_object_unref (self);
}

void
pf_pop3_client_close (PfPop3Client *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PF_IS_POP3_CLIENT (self));

  if (self->closed)
    {
      close_stream (self);
      return;
    }
  error = g_error_new_literal (PF_ERROR, PF_ERROR_CLOSED, "The connection was closed");
  fail_all (self, error);
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
    command_return_error (cmd, error);
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

static void start_reading (PfPop3Client *self);

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
      g_autoptr(GError) pf_error = classify_io_error (self, error);

      fail_all (self, pf_error);
      return;
    }
  if (self->closed)
    {
      close_stream (self);
      return;
    }
  schedule_flush (self);
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
  start_reading (self);
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
static void
schedule_flush (PfPop3Client *self)
{
  if (self->flush_idle != 0 || self->closed || g_queue_is_empty (&self->pending))
    return;
  self->flush_idle = g_idle_add_full (G_PRIORITY_DEFAULT, flush_idle_cb,
                                      g_object_ref (self), g_object_unref);
}

/* A SASL continuation answer, written at once (AUTH is alone in flight). */
static void
send_continuation (PfPop3Client *self,
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
        self->read_error = classify_io_error (self, error);
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
  disarm_timeout (self);
  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (self->closed)
    {
      close_stream (self);
      return;
    }
  if (n < 0)
    {
      g_autoptr(GError) pf_error = classify_io_error (self, error);

      fail_all (self, pf_error);
      return;
    }
  if (n == 0)
    {
      g_autoptr(GError) closed = closed_error ();

      fail_all (self, closed);
      return;
    }

  pf_line_reader_commit (self->reader, n);
  self->window_bytes += n;
  drain_ready (self, READ_SIZE - n);
  process (self);
}

static void
start_reading (PfPop3Client *self)
{
  guint8 *space;

  if (self->reading || self->sink_busy || self->processing || self->closed ||
      self->stream == NULL || g_queue_is_empty (&self->inflight))
    return;

  if (self->read_error != NULL)
    {
      g_autoptr(GError) error = g_steal_pointer (&self->read_error);

      fail_all (self, error);
      return;
    }

  space = pf_line_reader_get_space (self->reader, READ_SIZE);
  self->reading = TRUE;
  arm_timeout (self);
  if (pf_line_reader_get_mode (self->reader) == PF_LINE_MODE_STATUS)
    arm_line_deadline (self);
  else
    arm_stall_window (self);
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream),
                             space, READ_SIZE, G_PRIORITY_DEFAULT,
                             self->io_cancellable, on_read, g_object_ref (self));
}

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

  fail_all (self, error);
}

static void
handle_continuation (PfPop3Client      *self,
                     Command           *cmd,
                     const PfPop3Reply *reply)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PfWipedBytes) response = NULL;
  g_autofree guint8 *challenge = NULL;
  g_autoptr(PfWipedText) encoded = NULL;
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
      send_continuation (self, "*");
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
          send_continuation (self, "*");
          return;
        }
    }

  data = response != NULL ? g_bytes_get_data (response, &len) : NULL;
  if (data == NULL)
    len = 0;
  encoded = len > 0 ? g_base64_encode (data, len) : g_strdup ("");
  send_continuation (self, encoded);
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

static GError *
stls_injection_error (void)
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
static GError *
stls_after_ok_error (const guint8 *data,
                     gsize         len)
{
  const char *text = (const char *) data;
  g_autofree char *reason = NULL;

  if (len < 6 || len > PF_POP3_MAX_STATUS_LINE || memcmp (text, "-ERR", 4) != 0 ||
      (text[4] != ' ' && text[4] != '\r') ||
      text[len - 2] != '\r' || text[len - 1] != '\n' ||
      memchr (text, '\n', len - 1) != NULL || memchr (text, '\r', len - 2) != NULL)
    return stls_injection_error ();

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

  clear_source (&self->line_source);
  pf_transcript_add_reply (self->transcript, line, len, self->tls_active);

  if (!pf_pop3_parse_reply (line, len, &reply, &error))
    {
      fail_all (self, error);
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
        cmd_error = reply_to_error (reply, cmd->err_fallback);
      command_return_error (cmd, cmd_error);
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
       * waits on the socket alone is judged by stls_grace(), which looks
       * at the socket first. */
      if (pf_line_reader_get_buffered (self->reader) > 0)
        {
          g_autoptr(GError) after_stls = NULL;
          gsize buffered_len;
          const guint8 *buffered = pf_line_reader_peek_buffered (self->reader, &buffered_len);

          after_stls = socket_has_data (self) ? stls_injection_error ()
                                              : stls_after_ok_error (buffered, buffered_len);
          fail_all (self, after_stls);
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
          fail_all (self, auth_error);
          command_return_error (cmd, auth_error);
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
  command_return_ok (cmd);
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

  clear_source (&self->stall_source);
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
      fail_all (self, error);
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

      command_return_error (cmd, error);
      return;
    }
  command_return_ok (cmd);
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
      fail_all (self, error);
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

    fail_all (self, error);
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
static void
process (PfPop3Client *self)
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
          fail_all (self, error);
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
      schedule_flush (self);
      start_reading (self);
    }
  g_object_unref (self);
}

static void
process_after_sink (PfPop3Client *self)
{
  if (self->closed)
    {
      close_stream (self);
      return;
    }
  process (self);
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
      command_return_error (cmd, error);
    }
  else
    {
      /* Already on the wire: the answer cannot be unread, end the session. */
      fail_all (self, error);
    }
  return G_SOURCE_REMOVE;
}

static Command *
command_new (PfPop3Client *self,
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

static void
submit (PfPop3Client *self,
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
      command_return_error (cmd, error);
      return;
    }

  if (cmd->kind == CMD_GREETING)
    g_queue_push_tail (&self->inflight, cmd);
  else
    g_queue_push_tail (&self->pending, cmd);

  if (cmd->kind == CMD_GREETING || !self->processing)
    {
      /* Outside the read loop (or for the greeting, which sends nothing)
       * batch in an idle; inside, process() flushes when it is done. */
      schedule_flush (self);
      start_reading (self);
    }
}

/* The Command of a finished task, or NULL with @error set. */
static Command *
finish_command (PfPop3Client *self,
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

/* ---------------------------------------------------------------------- */
/* GObject                                                                */

static void
pf_pop3_client_dispose (GObject *object)
{
  PfPop3Client *self = PF_POP3_CLIENT (object);

  /* Every command holds a reference: nothing can be waiting here. */
  self->closed = TRUE;
  g_cancellable_cancel (self->io_cancellable);
  disarm_timeout (self);
  disarm_deadlines (self);
  if (self->flush_idle != 0)
    g_clear_handle_id (&self->flush_idle, g_source_remove);
  close_stream (self);

  G_OBJECT_CLASS (pf_pop3_client_parent_class)->dispose (object);
}

static void
pf_pop3_client_finalize (GObject *object)
{
  PfPop3Client *self = PF_POP3_CLIENT (object);

  g_clear_pointer (&self->settings, pf_server_settings_unref);
  g_free (self->host);
  g_free (self->server_identity);
  g_free (self->pinned_fingerprint);
  g_clear_object (&self->tls_database);
  g_clear_object (&self->transcript);
  g_clear_object (&self->stream);
  drop_tls (self);
  g_clear_object (&self->connection);
  g_clear_object (&self->io_cancellable);
  g_clear_error (&self->fatal_error);
  g_clear_error (&self->read_error);
  g_clear_pointer (&self->reader, pf_line_reader_free);
  explicit_bzero (self->outbuf->str, self->outbuf->allocated_len);
  g_string_free (self->outbuf, TRUE);
  g_free (self->greeting);
  g_free (self->apop_timestamp);
  g_clear_pointer (&self->caps, pf_capabilities_free);
  g_clear_object (&self->peer_certificate);

  G_OBJECT_CLASS (pf_pop3_client_parent_class)->finalize (object);
}

/* The session reads the settings once, here: a client connects once. */
static void
apply_settings (PfPop3Client     *self,
                PfServerSettings *settings)
{
  g_assert (self->settings == NULL);

  if (settings == NULL)
    return;
  self->settings = pf_server_settings_ref (settings);
  self->host = g_strdup (pf_server_settings_get_host (settings));
  self->port = pf_server_settings_get_port (settings);
  self->security = pf_server_settings_get_security (settings);
  if (pf_server_settings_get_timeout (settings) > 0)
    self->timeout = pf_server_settings_get_timeout (settings);
  self->server_identity = g_strdup (pf_server_settings_get_server_identity (settings));
  self->pinned_fingerprint = g_strdup (pf_server_settings_get_pinned_fingerprint (settings));
  g_set_object (&self->tls_database, pf_server_settings_get_tls_database (settings));
  self->allow_plaintext_auth = pf_server_settings_get_allow_plaintext_auth (settings);
}

static void
pf_pop3_client_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PfPop3Client *self = PF_POP3_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_boxed (value, self->settings);
      break;
    case PROP_PIPELINE_WINDOW:
      g_value_set_uint (value, self->pipeline_window);
      break;
    case PROP_TLS_ACTIVE:
      g_value_set_boolean (value, self->tls_active);
      break;
    case PROP_STALL_WINDOW:
      g_value_set_uint (value, self->stall_window);
      break;
    case PROP_MAX_LISTING:
      g_value_set_uint (value, self->max_listing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_pop3_client_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PfPop3Client *self = PF_POP3_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      apply_settings (self, g_value_get_boxed (value));
      break;
    case PROP_PIPELINE_WINDOW:
      pf_pop3_client_set_pipeline_window (self, g_value_get_uint (value));
      break;
    case PROP_STALL_WINDOW:
      pf_pop3_client_set_stall_window (self, g_value_get_uint (value));
      break;
    case PROP_MAX_LISTING:
      pf_pop3_client_set_max_listing (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_pop3_client_class_init (PfPop3ClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ctor = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = pf_pop3_client_dispose;
  object_class->finalize = pf_pop3_client_finalize;
  object_class->get_property = pf_pop3_client_get_property;
  object_class->set_property = pf_pop3_client_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_boxed ("settings", NULL, NULL, PF_TYPE_SERVER_SETTINGS, ctor);
  properties[PROP_PIPELINE_WINDOW] =
    g_param_spec_uint ("pipeline-window", NULL, NULL, 0, G_MAXUINT,
                       DEFAULT_PIPELINE_WINDOW, rw);
  properties[PROP_TLS_ACTIVE] =
    g_param_spec_boolean ("tls-active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STALL_WINDOW] =
    g_param_spec_uint ("stall-window", NULL, NULL, 0, G_MAXUINT, DEFAULT_STALL_WINDOW, rw);
  properties[PROP_MAX_LISTING] =
    g_param_spec_uint ("max-listing", NULL, NULL, 1, PF_POP3_MAX_LISTING,
                       PF_POP3_MAX_LISTING, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pf_pop3_client_init (PfPop3Client *self)
{
  self->timeout = DEFAULT_TIMEOUT;
  self->pipeline_window = DEFAULT_PIPELINE_WINDOW;
  self->stall_window = DEFAULT_STALL_WINDOW;
  self->max_listing = PF_POP3_MAX_LISTING;
  self->stat_count = -1;
  self->transcript = pf_transcript_new ();
  self->io_cancellable = g_cancellable_new ();
  self->reader = pf_line_reader_new ();
  self->outbuf = g_string_sized_new (4096);
  g_queue_init (&self->pending);
  g_queue_init (&self->inflight);
}

PfPop3Client *
pf_pop3_client_new_for_settings (PfServerSettings *settings)
{
  g_return_val_if_fail (settings != NULL, NULL);

  return g_object_new (PF_TYPE_POP3_CLIENT, "settings", settings, NULL);
}

PfPop3Client *
pf_pop3_client_new (const char *host,
                    guint16     port,
                    PfSecurity  security)
{
  g_autoptr(PfServerSettings) settings = NULL;

  g_return_val_if_fail (host != NULL, NULL);

  settings = pf_server_settings_new (host, port, security);
  return pf_pop3_client_new_for_settings (settings);
}

PfServerSettings *
pf_pop3_client_get_settings (PfPop3Client *self)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), NULL);

  return self->settings;
}

void
pf_pop3_client_set_stall_window (PfPop3Client *self,
                                 guint         seconds)
{
  g_return_if_fail (PF_IS_POP3_CLIENT (self));

  if (self->stall_window == seconds)
    return;
  self->stall_window = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STALL_WINDOW]);
}

void
pf_pop3_client_set_max_listing (PfPop3Client *self,
                                guint         entries)
{
  g_return_if_fail (PF_IS_POP3_CLIENT (self));
  g_return_if_fail (entries >= 1 && entries <= PF_POP3_MAX_LISTING);

  if (self->max_listing == entries)
    return;
  self->max_listing = entries;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_LISTING]);
}

void
pf_pop3_client_set_pipeline_window (PfPop3Client *self,
                                    guint         window)
{
  g_return_if_fail (PF_IS_POP3_CLIENT (self));

  if (self->pipeline_window == window)
    return;
  self->pipeline_window = window;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PIPELINE_WINDOW]);
}

PfTranscript *
pf_pop3_client_get_transcript (PfPop3Client *self)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), NULL);

  return self->transcript;
}

const char *
pf_pop3_client_get_greeting (PfPop3Client *self)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), NULL);

  return self->greeting;
}

const char *
pf_pop3_client_get_apop_timestamp (PfPop3Client *self)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), NULL);

  return self->apop_timestamp;
}

const PfCapabilities *
pf_pop3_client_get_capabilities (PfPop3Client *self)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), NULL);

  return self->caps;
}

gboolean
pf_pop3_client_get_tls_active (PfPop3Client *self)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), FALSE);

  return self->tls_active;
}

gboolean
pf_pop3_client_get_pipelining (PfPop3Client *self)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), FALSE);

  return self->caps != NULL && self->caps->pipelining && self->pipeline_window > 0;
}

GTlsCertificate *
pf_pop3_client_get_peer_certificate (PfPop3Client *self)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), NULL);

  return self->peer_certificate;
}

GTlsCertificateFlags
pf_pop3_client_get_peer_certificate_errors (PfPop3Client *self)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), 0);

  return self->peer_errors;
}

char *
pf_pop3_client_dup_tls_description (PfPop3Client *self)
{
  const char *version = NULL;
  g_autofree char *cipher = NULL;

  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), NULL);

  if (self->tls == NULL || !self->tls_active)
    return NULL;

  switch (g_tls_connection_get_protocol_version (self->tls))
    {
    case G_TLS_PROTOCOL_VERSION_TLS_1_0:
      version = "TLS 1.0";
      break;
    case G_TLS_PROTOCOL_VERSION_TLS_1_1:
      version = "TLS 1.1";
      break;
    case G_TLS_PROTOCOL_VERSION_TLS_1_2:
      version = "TLS 1.2";
      break;
    case G_TLS_PROTOCOL_VERSION_TLS_1_3:
      version = "TLS 1.3";
      break;
    case G_TLS_PROTOCOL_VERSION_UNKNOWN:
    case G_TLS_PROTOCOL_VERSION_SSL_3_0:
    case G_TLS_PROTOCOL_VERSION_DTLS_1_0:
    case G_TLS_PROTOCOL_VERSION_DTLS_1_2:
    default:
      break;
    }
  cipher = g_tls_connection_get_ciphersuite_name (self->tls);
  if (version == NULL && cipher == NULL)
    return NULL;
  if (cipher == NULL)
    return g_strdup (version);
  if (version == NULL)
    return g_steal_pointer (&cipher);
  return g_strdup_printf ("%s, %s", version, cipher);
}

/* ---------------------------------------------------------------------- */
/* Connect: TCP, [TLS], greeting, CAPA, [STLS, TLS, CAPA]                 */

static void connect_step_greeting (GTask *task);
static void connect_step_capa     (GTask *task);

static void
set_tls_active (PfPop3Client *self,
                gboolean      active)
{
  if (self->tls_active == active)
    return;
  self->tls_active = active;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_ACTIVE]);
}

static gboolean
on_accept_certificate (GTlsConnection       *conn,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  PfPop3Client *self = user_data;
  g_autofree char *fingerprint = pf_certificate_sha256 (certificate);

  g_set_object (&self->peer_certificate, certificate);
  self->peer_errors = errors;
  self->pin_accepted = self->pinned_fingerprint != NULL &&
                       g_strcmp0 (fingerprint, self->pinned_fingerprint) == 0;

  pf_transcript_add_info (self->transcript,
                          "Certificate failed validation (flags 0x%x), SHA-256 %s: %s",
                          errors, fingerprint,
                          self->pin_accepted ? "accepted, it matches the pinned fingerprint"
                                             : "rejected");
  return self->pin_accepted;
}

static GError *
certificate_error (PfPop3Client *self,
                   const GError *tls_error)
{
  GTlsCertificateFlags flags = self->peer_errors;
  PfErrorCode code;

  if (self->pinned_fingerprint != NULL)
    code = PF_ERROR_CERT_PIN_MISMATCH;
  else if (flags & (G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_INSECURE |
                    G_TLS_CERTIFICATE_REVOKED))
    code = PF_ERROR_CERT_UNTRUSTED;
  else if (flags & (G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_NOT_ACTIVATED))
    code = PF_ERROR_CERT_EXPIRED;
  else if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    code = PF_ERROR_CERT_HOST;
  else
    code = PF_ERROR_CERT_UNTRUSTED;

  return g_error_new (PF_ERROR, code, "%s", tls_error->message);
}

/* What a finished handshake must still pass before anything is sent in
 * it, implicit TLS and STLS alike. A pin names one certificate: GIO asks
 * accept-certificate only about certificates that fail validation, so a
 * different certificate that a trusted CA signed would pass unnoticed
 * unless the peer is compared here. And the version GnuTLS agreed to may
 * be one its configuration still allows but we do not. */
static GError *
check_handshake (PfPop3Client   *self,
                 GTlsConnection *tls)
{
  GTlsCertificate *peer = g_tls_connection_get_peer_certificate (tls);
  const char *version = NULL;

  if (self->pinned_fingerprint != NULL)
    {
      g_autofree char *fingerprint = peer != NULL ? pf_certificate_sha256 (peer) : NULL;

      if (g_strcmp0 (fingerprint, self->pinned_fingerprint) != 0)
        {
          pf_transcript_add_info (self->transcript,
                                  "Certificate SHA-256 %s: rejected, it is not the pinned one",
                                  fingerprint != NULL ? fingerprint : "(none)");
          return g_error_new (PF_ERROR, PF_ERROR_CERT_PIN_MISMATCH,
                              "The server’s certificate (SHA-256 %s) is not the pinned one",
                              fingerprint != NULL ? fingerprint : "unknown");
        }
    }

  /* UNKNOWN is what GIO says for a version newer than it knows. */
  switch (g_tls_connection_get_protocol_version (tls))
    {
    case G_TLS_PROTOCOL_VERSION_SSL_3_0:
      version = "SSL 3.0";
      break;
    case G_TLS_PROTOCOL_VERSION_TLS_1_0:
      version = "1.0";
      break;
    case G_TLS_PROTOCOL_VERSION_TLS_1_1:
      version = "1.1";
      break;
    case G_TLS_PROTOCOL_VERSION_UNKNOWN:
    case G_TLS_PROTOCOL_VERSION_TLS_1_2:
    case G_TLS_PROTOCOL_VERSION_TLS_1_3:
    case G_TLS_PROTOCOL_VERSION_DTLS_1_0:
    case G_TLS_PROTOCOL_VERSION_DTLS_1_2:
    default:
      return NULL;
    }
  return g_error_new (PF_ERROR, PF_ERROR_TLS_OUTDATED,
                      "The server uses an outdated, insecure TLS version %s; "
                      "Popfetch needs TLS 1.2 or newer", version);
}

static void
connect_fail (GTask  *task,
              GError *error)
{
  PfPop3Client *self = g_task_get_source_object (task);

  fail_all (self, error);
  g_task_return_error (task, error);
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;

  self->reading = self->writing = FALSE;
  disarm_timeout (self);

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      if (self->peer_errors != 0 && !self->pin_accepted &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        connect_fail (task, certificate_error (self, error));
      else
        connect_fail (task, classify_io_error (self, error));
      return;
    }
  if (self->closed)
    {
      connect_fail (task, g_error_copy (self->fatal_error));
      return;
    }

  if (self->peer_errors == 0)
    g_set_object (&self->peer_certificate,
                  g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (source)));

  error = check_handshake (self, G_TLS_CONNECTION (source));
  if (error != NULL)
    {
      connect_fail (task, g_steal_pointer (&error));
      return;
    }

  g_set_object (&self->stream, G_IO_STREAM (source));
  set_tls_active (self, TRUE);
  description = pf_pop3_client_dup_tls_description (self);
  pf_transcript_add_info (self->transcript, "TLS established (%s)",
                          description != NULL ? description : "unknown parameters");

  if (self->security == PF_SECURITY_TLS)
    connect_step_greeting (task);
  else
    connect_step_capa (task);
}

static void
connect_step_tls (GTask *task)
{
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GError) error = NULL;
  GIOStream *tls;

  identity = g_network_address_new (self->server_identity != NULL ? self->server_identity
                                                                  : self->host,
                                    self->port);
  tls = g_tls_client_connection_new (G_IO_STREAM (self->connection), identity, &error);
  if (tls == NULL)
    {
      connect_fail (task, io_error_to_pf (error, PF_ERROR_TLS_HANDSHAKE));
      return;
    }
  self->tls = G_TLS_CONNECTION (tls);
  /* POP3 has its own end (QUIT); many servers just drop the TCP link. */
  g_tls_connection_set_require_close_notify (self->tls, FALSE);
  if (self->tls_database != NULL)
    g_tls_connection_set_database (self->tls, self->tls_database);
  self->accept_certificate_id = g_signal_connect (tls, "accept-certificate",
                                                  G_CALLBACK (on_accept_certificate), self);

  /* The handshake counts as reading and writing the base stream. */
  self->reading = self->writing = TRUE;
  arm_timeout (self);
  g_tls_connection_handshake_async (self->tls, G_PRIORITY_DEFAULT, self->io_cancellable,
                                    on_handshake, g_object_ref (task));
}

/* A server says nothing after "+OK" to STLS until our ClientHello. Bytes
 * that arrive anyway were injected; a short wait catches those sent in a
 * segment of their own, which a late attacker could otherwise slip in
 * while the handshake starts (it would then fail as a TLS error). */
#define STLS_GRACE_MS 50

typedef struct
{
  GTask   *task;
  GSource *socket_source;
  GSource *timer;
} StlsGrace;

static void
stls_grace_free (StlsGrace *grace)
{
  g_source_destroy (grace->socket_source);
  g_source_unref (grace->socket_source);
  g_source_destroy (grace->timer);
  g_source_unref (grace->timer);
  g_object_unref (grace->task);
  g_free (grace);
}

static gboolean
on_stls_grace_data (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  StlsGrace *grace = user_data;
  GTask *task = g_object_ref (grace->task);
  PfPop3Client *self = g_task_get_source_object (task);
  /* One byte more than a status line may hold, so an over-long one
   * cannot pass for a whole -ERR line. */
  g_autofree guint8 *peeked = g_malloc (PF_POP3_MAX_STATUS_LINE + 1);
  gssize len;

  stls_grace_free (grace);
  /* Only a look: the session ends here whatever the bytes are. */
  len = g_socket_receive_with_blocking (socket, (char *) peeked, PF_POP3_MAX_STATUS_LINE + 1,
                                        FALSE, NULL, NULL);
  if (self->closed)
    connect_fail (task, g_error_copy (self->fatal_error));
  else
    connect_fail (task, len > 0 ? stls_after_ok_error (peeked, len) : stls_injection_error ());
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static gboolean
on_stls_grace_over (gpointer user_data)
{
  StlsGrace *grace = user_data;
  GTask *task = g_object_ref (grace->task);
  PfPop3Client *self = g_task_get_source_object (task);

  stls_grace_free (grace);
  if (self->closed)
    connect_fail (task, g_error_copy (self->fatal_error));
  else
    connect_step_tls (task);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
stls_grace (GTask *task)
{
  PfPop3Client *self = g_task_get_source_object (task);
  StlsGrace *grace = g_new0 (StlsGrace, 1);
  GSocket *socket = g_socket_connection_get_socket (self->connection);

  grace->task = g_object_ref (task);
  grace->socket_source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (grace->socket_source, (GSourceFunc) (void (*) (void)) on_stls_grace_data,
                         grace, NULL);
  g_source_attach (grace->socket_source, g_main_context_get_thread_default ());
  grace->timer = g_timeout_source_new (STLS_GRACE_MS);
  g_source_set_callback (grace->timer, on_stls_grace_over, grace, NULL);
  g_source_attach (grace->timer, g_main_context_get_thread_default ());
}

static void
on_stls (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (finish_command (self, result, on_stls, &error) == NULL)
    {
      if (g_error_matches (error, PF_ERROR, PF_ERROR_STLS_INJECTION) ||
          g_error_matches (error, PF_ERROR, PF_ERROR_TIMEOUT) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->closed)
        connect_fail (task, g_steal_pointer (&error));
      else
        connect_fail (task, g_error_new (PF_ERROR, PF_ERROR_STLS_UNAVAILABLE,
                                         "The server refused STLS: %s", error->message));
      return;
    }

  /* Forget everything learned before TLS: it may have been forged. */
  pf_line_reader_reset (self->reader);
  g_clear_error (&self->read_error);
  g_clear_pointer (&self->caps, pf_capabilities_free);
  g_clear_pointer (&self->greeting, g_free);
  g_clear_pointer (&self->apop_timestamp, g_free);
  self->capa_ok = FALSE;
  stls_grace (task);
}

static void
on_capa (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  Command *cmd = finish_command (self, result, on_capa, &error);
  Command *stls;

  if (cmd != NULL)
    {
      g_clear_pointer (&self->caps, pf_capabilities_free);
      self->caps = g_steal_pointer (&cmd->caps);
      self->capa_ok = TRUE;
    }
  else if (self->closed || error->domain != PF_ERROR || error->code == PF_ERROR_PROTOCOL)
    {
      connect_fail (task, g_steal_pointer (&error));
      return;
    }
  else
    {
      /* CAPA refused: an RFC 1939 server. Assume nothing. */
      g_clear_pointer (&self->caps, pf_capabilities_free);
      self->caps = pf_capabilities_new ();
      self->capa_ok = FALSE;
    }

  if (self->security != PF_SECURITY_STARTTLS || self->tls_active)
    {
      self->connected = TRUE;
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (!self->caps->stls)
    {
      connect_fail (task, g_error_new_literal (PF_ERROR, PF_ERROR_STLS_UNAVAILABLE,
                                               self->capa_ok
                                                 ? "The server does not offer STLS"
                                                 : "The server refused CAPA, so it does not offer STLS"));
      return;
    }

  stls = command_new (self, CMD_STLS, g_strdup ("STLS"), NULL, on_stls, on_stls,
                      g_object_ref (task));
  stls->barrier = TRUE;
  stls->err_fallback = PF_ERROR_STLS_UNAVAILABLE;
  submit (self, stls);
}

static Command *
capa_command_new (PfPop3Client        *self,
                  gpointer             source_tag,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  Command *cmd = command_new (self, CMD_CAPA, g_strdup ("CAPA"), NULL, source_tag,
                              callback, user_data);

  cmd->caps = pf_capabilities_new ();
  cmd->barrier = TRUE;
  return cmd;
}

static void
connect_step_capa (GTask *task)
{
  PfPop3Client *self = g_task_get_source_object (task);

  submit (self, capa_command_new (self, on_capa, on_capa, g_object_ref (task)));
}

static void
on_greeting (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  Command *cmd = finish_command (self, result, on_greeting, &error);

  if (cmd == NULL)
    {
      connect_fail (task, g_steal_pointer (&error));
      return;
    }
  g_free (self->greeting);
  self->greeting = g_strdup (cmd->text != NULL ? cmd->text : "");
  connect_step_capa (task);
}

static void
connect_step_greeting (GTask *task)
{
  PfPop3Client *self = g_task_get_source_object (task);
  Command *cmd = command_new (self, CMD_GREETING, NULL, NULL, on_greeting, on_greeting,
                              g_object_ref (task));

  cmd->barrier = TRUE;
  submit (self, cmd);
}

static void
on_socket_connected (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  GSocketConnection *connection;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL)
    {
      g_autoptr(GError) pf_error = io_error_to_pf (error, PF_ERROR_REFUSED);

      pf_transcript_add_info (self->transcript, "Connection failed: %s", error->message);
      if (self->closed && self->fatal_error != NULL)
        {
          /* close() or a cancellation got here first: report that. */
          g_clear_error (&pf_error);
          pf_error = g_error_copy (self->fatal_error);
        }
      self->closed = TRUE;
      g_clear_error (&self->fatal_error);
      self->fatal_error = g_error_copy (pf_error);
      g_task_return_error (task, g_steal_pointer (&pf_error));
      return;
    }

  self->connection = connection;
  self->stream = g_object_ref (G_IO_STREAM (connection));
  /* GSocketClient's timeout also applies to each blocking socket call; our
   * own timer covers reads from here on, so it must not fire on idle. */
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 0);
  g_socket_set_option (g_socket_connection_get_socket (connection),
                       IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  remote = g_socket_connection_get_remote_address (connection, NULL);
  if (G_IS_INET_SOCKET_ADDRESS (remote))
    {
      g_autofree char *address =
        g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));

      pf_transcript_add_info (self->transcript, "Connected to %s port %u", address, self->port);
    }

  if (self->security == PF_SECURITY_TLS)
    connect_step_tls (task);
  else
    connect_step_greeting (task);
}

static void
source_destroy_and_unref (gpointer data)
{
  g_source_destroy (data);
  g_source_unref (data);
}

static gboolean
on_connect_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  PfPop3Client *self = user_data;
  g_autoptr(GError) error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  if (!self->connected && !self->closed)
    fail_all (self, error);
  return G_SOURCE_REMOVE;
}

gboolean
pf_pop3_proxy_may_be_configured (const char * const *envp)
{
  static const char * const settings[] = {
    "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "ftp_proxy", "FTP_PROXY",
    "all_proxy", "ALL_PROXY", "socks_proxy", "SOCKS_PROXY", "GIO_USE_PROXY_RESOLVER",
    "XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "GNOME_DESKTOP_SESSION_ID", "KDE_FULL_SESSION",
    "FLATPAK_ID",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (settings); i++)
    {
      const char *value = g_environ_getenv ((char **) envp, settings[i]);

      if (value != NULL && *value != '\0')
        return TRUE;
    }
  return FALSE;
}

void
pf_pop3_client_connect_async (PfPop3Client        *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnectable) address = NULL;

  g_return_if_fail (PF_IS_POP3_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_pop3_client_connect_async);

  if (self->connection != NULL || self->closed)
    {
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_INVALID_INPUT,
                               "A session connects only once");
      return;
    }

  if (cancellable != NULL)
    {
      g_autoptr(GSource) source = g_cancellable_source_new (cancellable);

      g_source_set_callback (source, (GSourceFunc) (void (*) (void)) on_connect_cancelled,
                             g_object_ref (self), g_object_unref);
      g_source_attach (source, g_main_context_get_thread_default ());
      g_task_set_task_data (task, g_steal_pointer (&source), source_destroy_and_unref);
    }

  pf_transcript_add_info (self->transcript, "Connecting to %s port %u (%s)",
                          self->host, self->port, pf_security_to_string (self->security));

  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, self->timeout);
  {
    g_auto(GStrv) envp = g_get_environ ();

    if (!pf_pop3_proxy_may_be_configured ((const char * const *) envp))
      g_socket_client_set_enable_proxy (client, FALSE);
  }
  address = g_network_address_new (self->host, self->port);
  g_socket_client_connect_async (client, address, self->io_cancellable,
                                 on_socket_connected, g_steal_pointer (&task));
}

gboolean
pf_pop3_client_connect_finish (PfPop3Client  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_pop3_client_connect_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------------- */
/* Authentication                                                         */

typedef struct
{
  char            *user;
  char            *secret;
  PfAuthMechanism  mechanism;
} AuthData;

static void
auth_data_free (AuthData *data)
{
  g_free (data->user);
  if (data->secret != NULL)
    explicit_bzero (data->secret, strlen (data->secret));
  g_free (data->secret);
  g_free (data);
}

static gboolean
has_line_break (const char *text)
{
  return strpbrk (text, "\r\n") != NULL;
}

static void
auth_done (GTask  *task,
           GError *error)
{
  PfPop3Client *self = g_task_get_source_object (task);
  AuthData *data = g_task_get_task_data (task);

  if (error != NULL)
    {
      /* A plain refusal of these may be about the method (a -PLUS the
       * server binds differently, an APOP or CRAM-MD5 it cannot check for
       * this user), so it is not reported as a wrong password: the caller
       * may try another method on a new connection. */
      if (g_error_matches (error, PF_ERROR, PF_ERROR_AUTH_REJECTED) && !self->closed &&
          data != NULL && pf_auth_mechanism_may_be_refused_for_itself (data->mechanism))
        {
          GError *mechanism_error =
            g_error_new (PF_ERROR, PF_ERROR_AUTH_MECHANISM_FAILED,
                         "The server refused the login with %s: %s",
                         pf_auth_mechanism_to_string (data->mechanism), error->message);

          g_error_free (error);
          error = mechanism_error;
        }
      g_task_return_error (task, error);
      return;
    }

  pf_transcript_add_info (self->transcript, "Logged in");
  g_task_return_boolean (task, TRUE);
}

static void
on_utf8 (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  /* A refusal leaves the session as it was; a broken connection shows at
   * the next command. */
  if (finish_command (self, result, on_utf8, &error) == NULL)
    pf_transcript_add_info (self->transcript, "The server refused UTF8: %s", error->message);
  auth_done (task, NULL);
}

/* RFC 6856: a server that offers UTF8 may replace every message with
 * UTF-8 in its header by a notice ("Cannot display Unicode content")
 * until the client says UTF8, so it is said before any RETR. */
static void
auth_maybe_utf8 (GTask *task)
{
  PfPop3Client *self = g_task_get_source_object (task);
  Command *cmd;

  if (!self->caps->utf8)
    {
      auth_done (task, NULL);
      return;
    }
  cmd = command_new (self, CMD_SIMPLE, g_strdup ("UTF8"), NULL, on_utf8, on_utf8,
                     g_object_ref (task));
  cmd->barrier = TRUE;
  submit (self, cmd);
}

static void
on_auth_capa (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  Command *cmd = finish_command (self, result, on_auth_capa, &error);

  /* Capabilities may grow after login (RFC 2449 §5); a refusal keeps the
   * old set. The login itself succeeded either way. */
  if (cmd != NULL)
    {
      g_clear_pointer (&self->caps, pf_capabilities_free);
      self->caps = g_steal_pointer (&cmd->caps);
    }
  auth_maybe_utf8 (task);
}

static void
auth_succeeded (GTask *task)
{
  PfPop3Client *self = g_task_get_source_object (task);

  if (!self->capa_ok)
    {
      auth_done (task, NULL);
      return;
    }
  submit (self, capa_command_new (self, on_auth_capa, on_auth_capa, g_object_ref (task)));
}

static void
on_auth_reply (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (finish_command (self, result, on_auth_reply, &error) == NULL)
    {
      auth_done (task, g_steal_pointer (&error));
      return;
    }
  auth_succeeded (task);
}

static Command *
auth_command_new (PfPop3Client        *self,
                  CommandKind          kind,
                  char                *line,
                  GTask               *task,
                  GAsyncReadyCallback  callback)
{
  Command *cmd = command_new (self, kind, line, NULL, on_auth_reply, callback,
                              g_object_ref (task));

  cmd->barrier = TRUE;
  cmd->err_fallback = PF_ERROR_AUTH_REJECTED;
  return cmd;
}

static void
on_user_reply (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  AuthData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (finish_command (self, result, on_auth_reply, &error) == NULL)
    {
      auth_done (task, g_steal_pointer (&error));
      return;
    }
  submit (self, auth_command_new (self, CMD_SIMPLE,
                                  g_strdup_printf ("PASS %s", data->secret), task,
                                  on_auth_reply));
}

/* tls-exporter (RFC 9266) where the TLS version has it, else
 * tls-server-end-point (RFC 5929); NULL without TLS. */
static GBytes *
channel_binding_data (PfPop3Client  *self,
                      const char   **type)
{
  static const struct {
    GTlsChannelBindingType  type;
    const char             *name;
  } types[] = {
    { G_TLS_CHANNEL_BINDING_TLS_EXPORTER, "tls-exporter" },
    { G_TLS_CHANNEL_BINDING_TLS_SERVER_END_POINT, "tls-server-end-point" },
  };

  *type = NULL;
  if (self->tls == NULL || !self->tls_active)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(GByteArray) data = g_byte_array_new ();

      if (g_tls_connection_get_channel_binding_data (self->tls, types[i].type, data, NULL))
        {
          *type = types[i].name;
          return g_byte_array_free_to_bytes (g_steal_pointer (&data));
        }
    }
  return NULL;
}

static gboolean
is_scram (PfAuthMechanism mechanism)
{
  return mechanism == PF_AUTH_SCRAM_SHA_1 || mechanism == PF_AUTH_SCRAM_SHA_1_PLUS ||
         mechanism == PF_AUTH_SCRAM_SHA_256 || mechanism == PF_AUTH_SCRAM_SHA_256_PLUS;
}

static gboolean
mechanism_offered (PfPop3Client    *self,
                   PfAuthMechanism  mechanism)
{
  switch (mechanism)
    {
    case PF_AUTH_USER:
      /* Without CAPA we cannot know; RFC 1939 servers all have USER. */
      return self->caps->user || !self->capa_ok;
    case PF_AUTH_APOP:
      return self->apop_timestamp != NULL;
    case PF_AUTH_AUTO:
      return FALSE;
    default:
      return pf_capabilities_has_sasl (self->caps, pf_auth_mechanism_to_string (mechanism));
    }
}

static gboolean
server_offers_binding (PfPop3Client *self)
{
  return pf_capabilities_has_sasl (self->caps, "SCRAM-SHA-256-PLUS") ||
         pf_capabilities_has_sasl (self->caps, "SCRAM-SHA-1-PLUS");
}

void
pf_pop3_client_authenticate_async (PfPop3Client        *self,
                                   const char          *user,
                                   const char          *secret,
                                   PfAuthMechanism      mechanism,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) binding = NULL;
  const char *binding_type = NULL;
  AuthData *data;

  g_return_if_fail (PF_IS_POP3_CLIENT (self));
  g_return_if_fail (user != NULL);
  g_return_if_fail (secret != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_pop3_client_authenticate_async);

  if (has_line_break (user) || has_line_break (secret))
    {
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_INVALID_INPUT,
                               "The user name or password contains a line break");
      return;
    }
  if (!self->connected || self->closed)
    {
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_CLOSED, "Not connected to the server");
      return;
    }
  if (!self->tls_active && !self->allow_plaintext_auth)
    {
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_PLAINTEXT_REFUSED,
                               "The connection is not encrypted, so no credential is sent");
      return;
    }

  binding = channel_binding_data (self, &binding_type);
  if (mechanism == PF_AUTH_AUTO)
    {
      mechanism = pf_sasl_choose ((const char * const *) self->caps->sasl,
                                  self->apop_timestamp != NULL,
                                  mechanism_offered (self, PF_AUTH_USER),
                                  self->tls_active, binding != NULL,
                                  self->allow_plaintext_auth);
      if (mechanism == PF_AUTH_AUTO)
        {
          g_task_return_new_error (task, PF_ERROR, PF_ERROR_NO_COMMON_MECHANISM,
                                   "The server offers no login method Popfetch can use safely");
          return;
        }
    }
  else if (!mechanism_offered (self, mechanism))
    {
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_NO_COMMON_MECHANISM,
                               "The server does not offer %s",
                               pf_auth_mechanism_to_string (mechanism));
      return;
    }

  data = g_new0 (AuthData, 1);
  data->user = g_strdup (user);
  data->secret = g_strdup (secret);
  data->mechanism = mechanism;
  g_task_set_task_data (task, data, (GDestroyNotify) auth_data_free);
  pf_transcript_add_info (self->transcript, "Logging in with %s",
                          pf_auth_mechanism_to_string (mechanism));

  switch (mechanism)
    {
    case PF_AUTH_USER:
      {
        /* on_user_reply sends PASS. */
        submit (self, auth_command_new (self, CMD_SIMPLE, g_strdup_printf ("USER %s", user),
                                        task, on_user_reply));
      }
      break;

    case PF_AUTH_APOP:
      {
        g_autofree char *digest = pf_apop_digest (self->apop_timestamp, secret);

        submit (self, auth_command_new (self, CMD_SIMPLE,
                                        g_strdup_printf ("APOP %s %s", user, digest), task,
                                        on_auth_reply));
      }
      break;

    case PF_AUTH_AUTO:
      g_assert_not_reached ();

    default:
      {
        g_autoptr(PfSasl) sasl = NULL;
        g_autoptr(PfWipedBytes) initial = NULL;
        g_autoptr(PfWipedText) line = NULL;
        Command *cmd;
        gboolean plus = mechanism == PF_AUTH_SCRAM_SHA_1_PLUS ||
                        mechanism == PF_AUTH_SCRAM_SHA_256_PLUS;

        if (plus && binding == NULL)
          {
            g_task_return_new_error (task, PF_ERROR, PF_ERROR_NO_COMMON_MECHANISM,
                                     "%s needs TLS channel binding, which is not available",
                                     pf_auth_mechanism_to_string (mechanism));
            return;
          }
        /* RFC 5802 §6: SCRAM without -PLUS says "y" (we could bind) only
         * when the server offered no -PLUS, so an attacker who stripped
         * -PLUS from CAPA is caught; a server that does offer -PLUS must
         * refuse "y", so then it says "n" (this is how the retry after a
         * refused -PLUS logs in). */
        if (!plus && (!is_scram (mechanism) || server_offers_binding (self)))
          g_clear_pointer (&binding, g_bytes_unref);
        sasl = pf_sasl_new_full (mechanism, user, secret,
                                 binding != NULL ? binding_type : NULL, binding, &error);
        if (sasl == NULL || !pf_sasl_step (sasl, NULL, 0, &initial, &error))
          {
            g_task_return_error (task, g_steal_pointer (&error));
            return;
          }

        if (initial != NULL && g_bytes_get_size (initial) > 0)
          {
            g_autoptr(PfWipedText) encoded = g_base64_encode (g_bytes_get_data (initial, NULL),
                                                              g_bytes_get_size (initial));

            line = g_strdup_printf ("AUTH %s %s", pf_sasl_get_name (sasl), encoded);
            if (strlen (line) > MAX_AUTH_LINE)
              g_clear_pointer (&line, wipe_text);
          }
        if (line == NULL)
          line = g_strdup_printf ("AUTH %s", pf_sasl_get_name (sasl));

        cmd = auth_command_new (self, CMD_AUTH, g_steal_pointer (&line), task, on_auth_reply);
        cmd->sasl = g_steal_pointer (&sasl);
        if (initial != NULL && g_bytes_get_size (initial) > 0 && strchr (cmd->line + 5, ' ') == NULL)
          cmd->pending_ir = g_steal_pointer (&initial);
        submit (self, cmd);
      }
      break;
    }
}

gboolean
pf_pop3_client_authenticate_finish (PfPop3Client     *self,
                                    GAsyncResult     *result,
                                    PfAuthMechanism  *used,
                                    GError          **error)
{
  AuthData *data;

  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_pop3_client_authenticate_async, FALSE);

  /* Set on failure too: the caller names what was tried. */
  data = g_task_get_task_data (G_TASK (result));
  if (used != NULL)
    *used = data != NULL ? data->mechanism : PF_AUTH_AUTO;
  return g_task_propagate_boolean (G_TASK (result), error);
}

PfAuthMechanism
pf_pop3_client_choose_fallback (PfPop3Client    *self,
                                PfAuthMechanism  failed)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), PF_AUTH_AUTO);

  if (self->caps == NULL)
    return PF_AUTH_AUTO;
  return pf_sasl_choose_fallback (failed, (const char * const *) self->caps->sasl,
                                  mechanism_offered (self, PF_AUTH_USER),
                                  self->tls_active, self->allow_plaintext_auth);
}

/* ---------------------------------------------------------------------- */
/* Transaction commands                                                   */

void
pf_pop3_client_stat_async (PfPop3Client        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (PF_IS_POP3_CLIENT (self));

  submit (self, command_new (self, CMD_STAT, g_strdup ("STAT"), cancellable,
                             pf_pop3_client_stat_async, callback, user_data));
}

gboolean
pf_pop3_client_stat_finish (PfPop3Client  *self,
                            GAsyncResult  *result,
                            guint         *count,
                            guint64       *size,
                            GError       **error)
{
  Command *cmd = finish_command (self, result, pf_pop3_client_stat_async, error);
  guint c;
  guint64 s;

  if (cmd == NULL)
    return FALSE;
  if (!pf_pop3_parse_stat (cmd->text != NULL ? cmd->text : "", &c, &s, error))
    return FALSE;
  if (count != NULL)
    *count = c;
  if (size != NULL)
    *size = s;
  return TRUE;
}

void
pf_pop3_client_list_async (PfPop3Client        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  Command *cmd;

  g_return_if_fail (PF_IS_POP3_CLIENT (self));

  cmd = command_new (self, CMD_LIST, g_strdup ("LIST"), cancellable,
                     pf_pop3_client_list_async, callback, user_data);
  cmd->entries = g_array_new (FALSE, FALSE, sizeof (PfListEntry));
  submit (self, cmd);
}

GArray *
pf_pop3_client_list_finish (PfPop3Client  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  Command *cmd = finish_command (self, result, pf_pop3_client_list_async, error);

  return cmd != NULL ? g_steal_pointer (&cmd->entries) : NULL;
}

void
pf_pop3_client_uidl_async (PfPop3Client        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  Command *cmd;

  g_return_if_fail (PF_IS_POP3_CLIENT (self));

  cmd = command_new (self, CMD_UIDL, g_strdup ("UIDL"), cancellable,
                     pf_pop3_client_uidl_async, callback, user_data);
  cmd->uidl = pf_uidl_list_new ();
  submit (self, cmd);
}

PfUidlList *
pf_pop3_client_uidl_finish (PfPop3Client  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  Command *cmd = finish_command (self, result, pf_pop3_client_uidl_async, error);

  return cmd != NULL ? g_steal_pointer (&cmd->uidl) : NULL;
}

void
pf_pop3_client_retrieve_async (PfPop3Client        *self,
                               guint                msgno,
                               gint                 top_lines,
                               GOutputStream       *sink,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  pf_pop3_client_retrieve_checked_async (self, msgno, top_lines, -1, 0, sink,
                                         cancellable, callback, user_data);
}

void
pf_pop3_client_retrieve_checked_async (PfPop3Client        *self,
                                       guint                msgno,
                                       gint                 top_lines,
                                       gint64               listed_size,
                                       guint64              byte_cap,
                                       GOutputStream       *sink,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  Command *cmd;
  char *line;

  g_return_if_fail (PF_IS_POP3_CLIENT (self));
  g_return_if_fail (msgno > 0);
  g_return_if_fail (G_IS_OUTPUT_STREAM (sink));

  if (top_lines >= 0)
    line = g_strdup_printf ("TOP %u %d", msgno, top_lines);
  else
    line = g_strdup_printf ("RETR %u", msgno);
  cmd = command_new (self, CMD_RETR, line, cancellable,
                     pf_pop3_client_retrieve_async, callback, user_data);
  cmd->sink = g_object_ref (sink);
  cmd->listed_size = listed_size;
  cmd->byte_cap = byte_cap;
  submit (self, cmd);
}

gboolean
pf_pop3_client_retrieve_finish (PfPop3Client  *self,
                                GAsyncResult  *result,
                                guint64       *bytes,
                                GError       **error)
{
  Command *cmd = finish_command (self, result, pf_pop3_client_retrieve_async, error);

  if (cmd == NULL)
    return FALSE;
  if (bytes != NULL)
    *bytes = cmd->bytes;
  return TRUE;
}

static void
simple_async (PfPop3Client        *self,
              char                *line,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  submit (self, command_new (self, CMD_SIMPLE, line, cancellable, source_tag,
                             callback, user_data));
}

void
pf_pop3_client_delete_async (PfPop3Client        *self,
                             guint                msgno,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (PF_IS_POP3_CLIENT (self));
  g_return_if_fail (msgno > 0);

  simple_async (self, g_strdup_printf ("DELE %u", msgno), pf_pop3_client_delete_async,
                cancellable, callback, user_data);
}

gboolean
pf_pop3_client_delete_finish (PfPop3Client  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return finish_command (self, result, pf_pop3_client_delete_async, error) != NULL;
}

void
pf_pop3_client_reset_async (PfPop3Client        *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (PF_IS_POP3_CLIENT (self));

  simple_async (self, g_strdup ("RSET"), pf_pop3_client_reset_async,
                cancellable, callback, user_data);
}

gboolean
pf_pop3_client_reset_finish (PfPop3Client  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return finish_command (self, result, pf_pop3_client_reset_async, error) != NULL;
}

void
pf_pop3_client_noop_async (PfPop3Client        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (PF_IS_POP3_CLIENT (self));

  simple_async (self, g_strdup ("NOOP"), pf_pop3_client_noop_async,
                cancellable, callback, user_data);
}

gboolean
pf_pop3_client_noop_finish (PfPop3Client  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return finish_command (self, result, pf_pop3_client_noop_async, error) != NULL;
}

static void
on_quit (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (finish_command (self, result, on_quit, &error) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  pf_pop3_client_close (self);
  g_task_return_boolean (task, TRUE);
}

void
pf_pop3_client_quit_async (PfPop3Client        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PF_IS_POP3_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_pop3_client_quit_async);
  simple_async (self, g_strdup ("QUIT"), on_quit, cancellable, on_quit, task);
}

gboolean
pf_pop3_client_quit_finish (PfPop3Client  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_pop3_client_quit_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
