/* pf-pop3-client.h — one POP3 session, GIO-async
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pf-credentials.h"
#include "pf-pop3-parse.h"
#include "pf-sasl.h"
#include "pf-server-settings.h"
#include "pf-transcript.h"
#include "pf-uidl-list.h"

G_BEGIN_DECLS

/* The most messages a LIST or UIDL answer may name. A listing is held
 * whole (the fetcher plans with it): this bounds the client's UIDL and LIST
 * answers to about 80 MiB at the bound with ids of 16 characters (190 MiB
 * with ids of 70, the longest RFC 1939 allows), whatever a server sends.
 * Real mailboxes stay far below. */
#define PF_POP3_MAX_LISTING 2000000

typedef struct
{
  guint    msgno;
  guint64  size;
} PfListEntry;

/* Whether anything in @envp (an environment, as from g_get_environ()) can
 * make GIO's system proxy resolver choose a proxy: a *_proxy variable, an
 * explicit GIO_USE_PROXY_RESOLVER, a desktop session (whose proxy settings
 * GIO reads) or a Flatpak sandbox (the proxy portal). Without any of them
 * the resolver answers "direct" anyway, and loading it (libproxy, which
 * pulls in libstdc++, and GSettings) costs about 2.5 MiB of memory. */
gboolean pf_pop3_proxy_may_be_configured (const char * const *envp);

#define PF_TYPE_POP3_CLIENT (pf_pop3_client_get_type ())

G_DECLARE_FINAL_TYPE (PfPop3Client, pf_pop3_client, PF, POP3_CLIENT, GObject)

/* Properties: "settings" (PfServerSettings, construct-only: host, port,
 * security, timeout (default 30 seconds; connect, greeting and each read),
 * server identity, pinned fingerprint, TLS database and the plaintext
 * consent, which must be set for credentials on PF_SECURITY_NONE; the
 * client dials the host as given, so the resolver and port map there are
 * not its business, nor is the CA file: a caller reads it into a database
 * first), "pipeline-window" (commands in flight when PIPELINING is
 * offered, default 256; 0 turns pipelining off), "stall-window" (seconds,
 * default 60; 0 turns it off: a multi-line answer that brings less than
 * 1 KiB in that long is abandoned as stalled, with PF_ERROR_TIMEOUT; the
 * timeout also bounds each status line, greeting or reply, from the moment
 * it is awaited to its line end), "max-listing" (entries, default and at
 * most PF_POP3_MAX_LISTING: a LIST or UIDL answer with more, or with more
 * than this session's STAT counted, ends the session with
 * PF_ERROR_PROTOCOL). A pinned fingerprint means exactly that certificate
 * is accepted, whether it passes validation or not; any other is
 * PF_ERROR_CERT_PIN_MISMATCH. Read-only: "tls-active".
 *
 * Commands queued in one main-loop iteration go out in one write. Every
 * _async call may be made before the previous one finished; answers come
 * back in order. Cancelling a command that is not sent yet drops just that
 * command; cancelling one already on the wire ends the session (every
 * waiting command fails with G_IO_ERROR_CANCELLED), because its answer
 * cannot be skipped. Any I/O or protocol error fails every waiting command
 * with that error and closes the connection; a -ERR fails only its command
 * (PF_ERROR_SERVER, or the code its response code names). */
PfPop3Client   *pf_pop3_client_new_for_settings (PfServerSettings *settings);
/* The same with default settings for @host (name or address literal). */
PfPop3Client   *pf_pop3_client_new (const char *host,
                                    guint16     port,
                                    PfSecurity  security);

PfServerSettings *pf_pop3_client_get_settings   (PfPop3Client *self);
void            pf_pop3_client_set_stall_window       (PfPop3Client *self,
                                                       guint         seconds);
void            pf_pop3_client_set_max_listing        (PfPop3Client *self,
                                                       guint         entries);
void            pf_pop3_client_set_pipeline_window    (PfPop3Client *self,
                                                       guint         window);

PfTranscript   *pf_pop3_client_get_transcript   (PfPop3Client *self);

/* Valid after connect succeeded. With STARTTLS the greeting and the APOP
 * timestamp came before TLS: they are forgotten with everything else learned
 * then (so both are NULL, and APOP is not offered). */
const char     *pf_pop3_client_get_greeting     (PfPop3Client *self);   /* sanitised */
const char     *pf_pop3_client_get_apop_timestamp (PfPop3Client *self); /* or NULL */
/* CAPA as last read (after TLS when TLS is up); never NULL after connect:
 * an empty set when the server refused CAPA. */
const PfCapabilities *pf_pop3_client_get_capabilities (PfPop3Client *self);
gboolean        pf_pop3_client_get_tls_active   (PfPop3Client *self);
gboolean        pf_pop3_client_get_pipelining   (PfPop3Client *self);

/* The peer certificate and the checks it failed. Also set when connect
 * failed with a certificate error, so the UI can show it and offer a pin. */
GTlsCertificate      *pf_pop3_client_get_peer_certificate        (PfPop3Client *self);
GTlsCertificateFlags  pf_pop3_client_get_peer_certificate_errors (PfPop3Client *self);
/* TLS protocol and cipher suite names when known, else NULL. */
char           *pf_pop3_client_dup_tls_description (PfPop3Client *self);

/* Lowercase hex SHA-256 of a certificate's DER. */
char           *pf_certificate_sha256 (GTlsCertificate *certificate);

/* Connect, read the greeting, CAPA; for STARTTLS: STLS, handshake, CAPA
 * again. Fails with PF_ERROR_* (or G_IO_ERROR_CANCELLED): RESOLVE, REFUSED,
 * TIMEOUT, CLOSED, TLS_HANDSHAKE (also plaintext on a TLS port),
 * CERT_UNTRUSTED / CERT_EXPIRED / CERT_HOST / CERT_PIN_MISMATCH (the peer
 * certificate and its flags stay readable), TLS_OUTDATED (TLS older than
 * 1.2 negotiated: refused before anything is sent in it), STLS_UNAVAILABLE
 * (missing from CAPA, CAPA refused, or STLS refused), STLS_INJECTION,
 * PROTOCOL, or the code of a -ERR greeting. The error message is the underlying GIO/TLS
 * message or the server's sanitised text. A client connects once. */
void            pf_pop3_client_connect_async  (PfPop3Client        *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean        pf_pop3_client_connect_finish (PfPop3Client        *self,
                                               GAsyncResult        *result,
                                               GError             **error);

/* Log in with @mechanism, or PF_AUTH_AUTO for the strongest shared one
 * (pf_sasl_choose). @secret is a password, or an access token for the OAuth
 * mechanisms. Before anything is sent it fails with PF_ERROR_INVALID_INPUT
 * for CR/LF in @user or @secret, PF_ERROR_PLAINTEXT_REFUSED when TLS is not
 * up and "allow-plaintext-auth" is FALSE (for every mechanism), and
 * PF_ERROR_NO_COMMON_MECHANISM when the server does not offer @mechanism.
 * A rejection is PF_ERROR_AUTH_REJECTED (or IN_USE, LOGIN_DELAY, SYS_TEMP,
 * SYS_PERM from the response code) with the server's text, except for a
 * mechanism whose refusal may be the mechanism's, not the password's
 * (pf_auth_mechanism_may_be_refused_for_itself(): -PLUS, APOP, CRAM-MD5):
 * PF_ERROR_AUTH_MECHANISM_FAILED, whose message names the mechanism. A
 * malformed challenge (not base64, a SCRAM message that does not parse or
 * asks for fewer than 4096 or more than 1000000 iterations) is
 * PF_ERROR_PROTOCOL. SCRAM must end with the server's proof. After success
 * CAPA is read again, then UTF8 is sent when CAPA offers it (RFC 6856), so
 * no message is replaced by a "cannot display" notice.
 *
 * _finish sets @used, also on failure, to the mechanism that was tried
 * (PF_AUTH_AUTO when none was sent). */
void            pf_pop3_client_authenticate_async  (PfPop3Client        *self,
                                                    const char          *user,
                                                    const char          *secret,
                                                    PfAuthMechanism      mechanism,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean        pf_pop3_client_authenticate_finish (PfPop3Client        *self,
                                                    GAsyncResult        *result,
                                                    PfAuthMechanism     *used,
                                                    GError             **error);

/* After authenticate failed with PF_ERROR_AUTH_MECHANISM_FAILED for
 * @failed: the one method to try instead, on a NEW connection (the server's
 * state after a half-done exchange is not to be trusted), from what this
 * session learned (pf_sasl_choose_fallback()); PF_AUTH_AUTO when none. */
PfAuthMechanism pf_pop3_client_choose_fallback (PfPop3Client    *self,
                                                PfAuthMechanism  failed);

/* The method to log in with SECRET: REQUESTED when it is not
 * PF_AUTH_AUTO, and a password's automatic choice (PF_AUTH_AUTO) as it
 * is; an access token left to PF_AUTH_AUTO goes only to a method made for
 * tokens, XOAUTH2 or OAUTHBEARER as the server offers them, never as a
 * password. FALSE with PF_ERROR_NO_COMMON_MECHANISM when the server
 * offers neither. */
gboolean pf_pop3_client_choose_for_secret (PfPop3Client    *self,
                                           PfAuthMechanism  requested,
                                           const PfSecret  *secret,
                                           PfAuthMechanism *mechanism,
                                           GError         **error);

/* After a login that failed with @error using *@secret from @credentials:
 * a refused access token may just be stale (revoked early, or the clocks
 * disagree), so once per run (*@renewed still FALSE) the transcript says
 * so, @credentials renews it, *@secret is freed, the connection closed,
 * *@renewed set, and TRUE returned: the caller logs in again on a new
 * connection. FALSE for anything else (a password has nothing to renew). */
gboolean pf_pop3_client_renew_refused_token (PfPop3Client   *self,
                                             PfCredentials  *credentials,
                                             PfSecret      **secret,
                                             gboolean       *renewed,
                                             const GError   *error);

void            pf_pop3_client_stat_async  (PfPop3Client        *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean        pf_pop3_client_stat_finish (PfPop3Client        *self,
                                            GAsyncResult        *result,
                                            guint               *count,
                                            guint64             *size,
                                            GError             **error);

/* Whole-mailbox LIST: a GArray of PfListEntry in server order. */
void            pf_pop3_client_list_async  (PfPop3Client        *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GArray         *pf_pop3_client_list_finish (PfPop3Client        *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* Whole-mailbox UIDL, packed (pf-uidl-list.h). Duplicate or invalid
 * unique-ids fail with PF_ERROR_PROTOCOL, and so does a message number
 * given twice, in UIDL as in LIST: the whole answer is refused. */
void            pf_pop3_client_uidl_async  (PfPop3Client        *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
PfUidlList     *pf_pop3_client_uidl_finish (PfPop3Client        *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* RETR (or TOP when @top_lines >= 0): the message, dot-unstuffed, with its
 * line endings as sent (CRLF), streamed into @sink in chunks as it arrives.
 * Several may be outstanding at once: they are pipelined when the server
 * offers PIPELINING and complete in order. Returns bytes written. */
void            pf_pop3_client_retrieve_async  (PfPop3Client        *self,
                                                guint                msgno,
                                                gint                 top_lines,
                                                GOutputStream       *sink,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
/* The same, with the data checked as it arrives (finish with
 * pf_pop3_client_retrieve_finish). @listed_size (or -1): what LIST said;
 * data that runs past it beyond pf_pop3_data_fits_listed_size() is a
 * framing error, PF_ERROR_PROTOCOL, and ends the session without QUIT (the
 * next reply may be inside it); so is, within that tolerance, a line past
 * the listed bytes that follows a line ending in "." and begins "+OK" or
 * "-ERR" (pf_pop3_glued_reply_scan()). @byte_cap (or 0): past this many bytes the
 * RETR stops and the session ends, G_IO_ERROR_MESSAGE_TOO_LARGE. With both
 * set, data past its listed size is no longer written to @sink but read on
 * to tell the two apart. Every other waiting command then fails too. */
void            pf_pop3_client_retrieve_checked_async (PfPop3Client        *self,
                                                       guint                msgno,
                                                       gint                 top_lines,
                                                       gint64               listed_size,
                                                       guint64              byte_cap,
                                                       GOutputStream       *sink,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean        pf_pop3_client_retrieve_finish (PfPop3Client        *self,
                                                GAsyncResult        *result,
                                                guint64             *bytes,
                                                GError             **error);

/* DELE, RSET, NOOP: single-line commands, pipelined like the rest. */
void            pf_pop3_client_delete_async  (PfPop3Client        *self,
                                              guint                msgno,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean        pf_pop3_client_delete_finish (PfPop3Client        *self,
                                              GAsyncResult        *result,
                                              GError             **error);
void            pf_pop3_client_reset_async   (PfPop3Client        *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean        pf_pop3_client_reset_finish  (PfPop3Client        *self,
                                              GAsyncResult        *result,
                                              GError             **error);
void            pf_pop3_client_noop_async    (PfPop3Client        *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean        pf_pop3_client_noop_finish   (PfPop3Client        *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* QUIT (the server commits deletions now), then close the stream. */
void            pf_pop3_client_quit_async  (PfPop3Client        *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean        pf_pop3_client_quit_finish (PfPop3Client        *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* Drop the connection without QUIT (the server then keeps every message:
 * RFC 1939 deletes only in the UPDATE state). Fails every waiting command. */
void            pf_pop3_client_close (PfPop3Client *self);
/* Fail every command not yet sent with @error; those on the wire go on
 * to their answers. A session being wound up (a cancelled fetch) lets
 * them finish and then says QUIT, instead of cutting the link: a server
 * may keep the mailbox locked for a while for a session cut off halfway
 * through a reply. */
void            pf_pop3_client_drop_pending (PfPop3Client *self,
                                             const GError *error);

G_END_DECLS
