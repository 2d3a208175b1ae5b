/* pf-recording-stream.h — a socket connection that keeps the first bytes
 * read from it
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The base stream of the TLS connection after STLS. A server whose TLS
 * side fails to start may send a -ERR line once our ClientHello is out;
 * the TLS layer then consumes that line as a record and fails. This
 * connection, over the same socket, keeps a copy of the first @limit bytes
 * the TLS layer reads, so the line can still be judged. It is a
 * GTcpConnection so that GIO's TLS still sees the peer's address (its
 * session cache keys on it); writes and closing are the socket's own. */
#define PF_TYPE_RECORDING_STREAM (pf_recording_stream_get_type ())
G_DECLARE_FINAL_TYPE (PfRecordingStream, pf_recording_stream, PF, RECORDING_STREAM, GTcpConnection)

PfRecordingStream *pf_recording_stream_new           (GSocketConnection *connection,
                                                      gsize              limit);
/* What was read so far, at most @limit bytes; recording stops here. */
GByteArray        *pf_recording_stream_take_recorded (PfRecordingStream *self);

G_END_DECLS
