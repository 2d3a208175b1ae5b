/* pf-recording-stream.c — a socket connection that keeps the first bytes
 * read from it
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pf-recording-stream.h"

/* ---------------------------------------------------------------------- */
/* The input side: the socket's stream, with a copy of what passes        */

/* glib-networking drives its base input through GPollableInputStream
 * (and runs the handshake in a thread of its own), so every way in is
 * delegated and recorded, under a lock. */
#define PF_TYPE_RECORDING_INPUT (pf_recording_input_get_type ())
G_DECLARE_FINAL_TYPE (PfRecordingInput, pf_recording_input, PF, RECORDING_INPUT, GInputStream)

struct _PfRecordingInput
{
  GInputStream  parent_instance;

  GInputStream *base;      /* pollable: the socket's */
  GMutex        lock;
  GByteArray   *recorded;  /* NULL once taken */
  gsize         limit;
};

static void pf_recording_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PfRecordingInput, pf_recording_input, G_TYPE_INPUT_STREAM,
                         G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                pf_recording_input_pollable_init))

static void
record (PfRecordingInput *self,
        const void       *buffer,
        gssize            len)
{
  if (len <= 0)
    return;
  g_mutex_lock (&self->lock);
  if (self->recorded != NULL && self->recorded->len < self->limit)
    g_byte_array_append (self->recorded, buffer,
                         (guint) MIN ((gsize) len, self->limit - self->recorded->len));
  g_mutex_unlock (&self->lock);
}

static gssize
pf_recording_input_read (GInputStream  *stream,
                         void          *buffer,
                         gsize          count,
                         GCancellable  *cancellable,
                         GError       **error)
{
  PfRecordingInput *self = PF_RECORDING_INPUT (stream);
  gssize len = g_input_stream_read (self->base, buffer, count, cancellable, error);

  record (self, buffer, len);
  return len;
}

/* The socket is the connection's to close. */
static gboolean
pf_recording_input_close (GInputStream  *stream,
                          GCancellable  *cancellable,
                          GError       **error)
{
  return TRUE;
}

static gboolean
pf_recording_input_can_poll (GPollableInputStream *stream)
{
  PfRecordingInput *self = PF_RECORDING_INPUT (stream);

  return g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (self->base));
}

static gboolean
pf_recording_input_is_readable (GPollableInputStream *stream)
{
  PfRecordingInput *self = PF_RECORDING_INPUT (stream);

  return g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->base));
}

static GSource *
pf_recording_input_create_source (GPollableInputStream *stream,
                                  GCancellable         *cancellable)
{
  PfRecordingInput *self = PF_RECORDING_INPUT (stream);
  g_autoptr(GSource) base_source =
    g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->base), NULL);

  return g_pollable_source_new_full (stream, base_source, cancellable);
}

static gssize
pf_recording_input_read_nonblocking (GPollableInputStream  *stream,
                                     void                  *buffer,
                                     gsize                  count,
                                     GError               **error)
{
  PfRecordingInput *self = PF_RECORDING_INPUT (stream);
  gssize len = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->base),
                                                         buffer, count, NULL, error);

  record (self, buffer, len);
  return len;
}

static void
pf_recording_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = pf_recording_input_can_poll;
  iface->is_readable = pf_recording_input_is_readable;
  iface->create_source = pf_recording_input_create_source;
  iface->read_nonblocking = pf_recording_input_read_nonblocking;
}

static void
pf_recording_input_finalize (GObject *object)
{
  PfRecordingInput *self = PF_RECORDING_INPUT (object);

  g_clear_object (&self->base);
  g_clear_pointer (&self->recorded, g_byte_array_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (pf_recording_input_parent_class)->finalize (object);
}

static void
pf_recording_input_class_init (PfRecordingInputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *input_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = pf_recording_input_finalize;
  input_class->read_fn = pf_recording_input_read;
  input_class->close_fn = pf_recording_input_close;
}

static void
pf_recording_input_init (PfRecordingInput *self)
{
  g_mutex_init (&self->lock);
  self->recorded = g_byte_array_new ();
}

/* ---------------------------------------------------------------------- */
/* The connection                                                         */

struct _PfRecordingStream
{
  GTcpConnection    parent_instance;

  PfRecordingInput *input;
};

G_DEFINE_FINAL_TYPE (PfRecordingStream, pf_recording_stream, G_TYPE_TCP_CONNECTION)

static GInputStream *
pf_recording_stream_get_input_stream (GIOStream *stream)
{
  return G_INPUT_STREAM (PF_RECORDING_STREAM (stream)->input);
}

static gboolean
pf_recording_stream_close (GIOStream     *stream,
                           GCancellable  *cancellable,
                           GError       **error)
{
  PfRecordingStream *self = PF_RECORDING_STREAM (stream);

  /* Only marks it closed (a read still pending fails on the socket). */
  g_input_stream_close (G_INPUT_STREAM (self->input), cancellable, NULL);
  return G_IO_STREAM_CLASS (pf_recording_stream_parent_class)->close_fn (stream, cancellable, error);
}

static void
pf_recording_stream_finalize (GObject *object)
{
  PfRecordingStream *self = PF_RECORDING_STREAM (object);

  g_clear_object (&self->input);

  G_OBJECT_CLASS (pf_recording_stream_parent_class)->finalize (object);
}

static void
pf_recording_stream_class_init (PfRecordingStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->finalize = pf_recording_stream_finalize;
  stream_class->get_input_stream = pf_recording_stream_get_input_stream;
  stream_class->close_fn = pf_recording_stream_close;
}

static void
pf_recording_stream_init (PfRecordingStream *self)
{
}

/* @connection: its socket is shared, not taken; closing either closes it. */
PfRecordingStream *
pf_recording_stream_new (GSocketConnection *connection,
                         gsize              limit)
{
  PfRecordingStream *self;
  GInputStream *socket_input;

  g_return_val_if_fail (G_IS_SOCKET_CONNECTION (connection), NULL);
  g_return_val_if_fail (limit > 0 && limit <= G_MAXUINT, NULL);

  self = g_object_new (PF_TYPE_RECORDING_STREAM,
                       "socket", g_socket_connection_get_socket (connection),
                       NULL);
  /* GSocketConnection's own stream over the same socket. */
  socket_input = G_IO_STREAM_CLASS (pf_recording_stream_parent_class)->get_input_stream (G_IO_STREAM (self));
  self->input = g_object_new (PF_TYPE_RECORDING_INPUT, NULL);
  self->input->base = g_object_ref (socket_input);
  self->input->limit = limit;
  return self;
}

GByteArray *
pf_recording_stream_take_recorded (PfRecordingStream *self)
{
  GByteArray *recorded;

  g_return_val_if_fail (PF_IS_RECORDING_STREAM (self), NULL);

  g_mutex_lock (&self->input->lock);
  recorded = g_steal_pointer (&self->input->recorded);
  g_mutex_unlock (&self->input->lock);
  return recorded != NULL ? recorded : g_byte_array_new ();
}
