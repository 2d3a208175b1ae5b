/* pf-pop3-client-private.h — what the parts of PfPop3Client share
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pf-pop3-client.h"
#include "pf-line-reader.h"

G_BEGIN_DECLS

/* PfPop3Client is one class in five files, split along its seams:
 * pf-pop3-client.c (object, properties, transaction commands),
 * pf-pop3-client-io.c (queues, timeouts, writing, reading),
 * pf-pop3-client-reply.c (answers matched to the FIFO),
 * pf-pop3-client-connect.c (TCP, TLS, greeting, CAPA, STLS) and
 * pf-pop3-client-auth.c (logging in). Functions shared between them carry
 * the _pf_pop3_client_ prefix and are declared here. */

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
  PfGluedReplyScan glued;      /* RETR: the next reply glued to the data */
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

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_PIPELINE_WINDOW,
  PROP_TLS_ACTIVE,
  PROP_STALL_WINDOW,
  PROP_MAX_LISTING,
  N_PROPS
};

extern GParamSpec *_pf_pop3_client_properties[N_PROPS];

/* Lines that carried PASS or an AUTH payload (PfWipedString), and the
 * SASL responses, are wiped before their memory goes back to the
 * allocator. */
typedef GBytes PfWipedBytes;

void _pf_pop3_client_wipe_bytes (GBytes *bytes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfWipedBytes, _pf_pop3_client_wipe_bytes)

/* Commands, errors, the queues and the read loop (pf-pop3-client-io.c and
 * pf-pop3-client-reply.c), used by connecting and logging in. */
void _pf_pop3_client_command_return_error (Command *cmd,
                                           const GError *error);
void _pf_pop3_client_command_return_ok (Command *cmd);
GError *_pf_pop3_client_reply_to_error (const PfPop3Reply *reply,
                                        PfErrorCode fallback);
GError *_pf_pop3_client_io_error_to_pf (const GError *error,
                                        PfErrorCode fallback);
void _pf_pop3_client_arm_timeout (PfPop3Client *self);
void _pf_pop3_client_disarm_timeout (PfPop3Client *self);
void _pf_pop3_client_clear_source (GSource **source);
void _pf_pop3_client_disarm_deadlines (PfPop3Client *self);
GError *_pf_pop3_client_classify_io_error (PfPop3Client *self,
                                           const GError *error);
void _pf_pop3_client_drop_tls (PfPop3Client *self);
void _pf_pop3_client_close_stream (PfPop3Client *self);
void _pf_pop3_client_fail_all (PfPop3Client *self,
                               const GError *error);
void _pf_pop3_client_schedule_flush (PfPop3Client *self);
void _pf_pop3_client_send_continuation (PfPop3Client *self,
                                        const char *line);
void _pf_pop3_client_start_reading (PfPop3Client *self);
GError *_pf_pop3_client_stls_injection_error (void);
GError *_pf_pop3_client_stls_after_ok_error (const guint8 *data,
                                             gsize len);
void _pf_pop3_client_process (PfPop3Client *self);
Command *_pf_pop3_client_command_new (PfPop3Client *self,
                                      CommandKind kind,
                                      char *line,
                                      GCancellable *cancellable,
                                      gpointer source_tag,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
void _pf_pop3_client_submit (PfPop3Client *self,
                             Command *cmd);
Command *_pf_pop3_client_finish_command (PfPop3Client *self,
                                         GAsyncResult *result,
                                         gpointer source_tag,
                                         GError **error);
void _pf_pop3_client_stls_grace (GTask *task);
Command *_pf_pop3_client_capa_command_new (PfPop3Client *self,
                                           gpointer source_tag,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);

G_END_DECLS
