/* pf-sasl.h — authentication mechanisms, pure (no I/O)
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "pf-enums.h"

G_BEGIN_DECLS

/* Ordered weakest to strongest within each family; see pf_sasl_choose(). */
typedef enum
{
  PF_AUTH_AUTO = 0,        /* strongest shared mechanism */
  PF_AUTH_USER,            /* USER/PASS (RFC 1939) */
  PF_AUTH_PLAIN,           /* SASL PLAIN */
  PF_AUTH_LOGIN,           /* SASL LOGIN */
  PF_AUTH_APOP,            /* APOP (RFC 1939, MD5 digest) */
  PF_AUTH_CRAM_MD5,
  PF_AUTH_SCRAM_SHA_1,
  PF_AUTH_SCRAM_SHA_1_PLUS,
  PF_AUTH_SCRAM_SHA_256,
  PF_AUTH_SCRAM_SHA_256_PLUS,
  PF_AUTH_XOAUTH2,         /* secret is an OAuth2 access token */
  PF_AUTH_OAUTHBEARER,     /* secret is an OAuth2 access token */
} PfAuthMechanism;

#define PF_TYPE_AUTH_MECHANISM (pf_auth_mechanism_get_type ())
GType            pf_auth_mechanism_get_type    (void) G_GNUC_CONST;

/* "USER", "PLAIN", "SCRAM-SHA-256-PLUS", …; "auto" for PF_AUTH_AUTO: the
 * nicks of PF_TYPE_AUTH_MECHANISM. */
const char      *pf_auth_mechanism_to_string   (PfAuthMechanism  mechanism);
/* Case-insensitive; FALSE for unknown names. */
gboolean         pf_auth_mechanism_from_string (const char      *name,
                                                PfAuthMechanism *mechanism);

/* TRUE when the mechanism sends the secret in a recoverable form
 * (USER, PLAIN, LOGIN, XOAUTH2, OAUTHBEARER): these need TLS. */
gboolean         pf_auth_mechanism_is_plaintext (PfAuthMechanism mechanism);

/* Strongest password mechanism both sides allow. Inside TLS:
 * SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS (only when @channel_binding is
 * TRUE), SCRAM-SHA-256, SCRAM-SHA-1, PLAIN, LOGIN, USER; CRAM-MD5 and APOP
 * add nothing inside TLS and servers offer them without being able to check
 * them for every user, so they are never chosen there (an account may still
 * ask for them). Without TLS: SCRAM, CRAM-MD5, APOP, then PLAIN, LOGIN, USER
 * only when @allow_plaintext. OAuth mechanisms are never chosen
 * automatically. Returns PF_AUTH_AUTO when nothing fits. */
PfAuthMechanism  pf_sasl_choose (const char * const *server_mechanisms,
                                 gboolean            apop_available,
                                 gboolean            user_available,
                                 gboolean            tls_active,
                                 gboolean            channel_binding,
                                 gboolean            allow_plaintext);

/* For an OAuth2 access token: XOAUTH2 when the server offers it, else
 * OAUTHBEARER, else PF_AUTH_AUTO (the server takes no token). Pure. */
PfAuthMechanism  pf_sasl_choose_for_token (const char * const *server_mechanisms);

/* TRUE for the mechanisms whose refusal may be about the mechanism, not
 * the password: a -PLUS the server binds differently (tls-unique against
 * our tls-exporter), an APOP or CRAM-MD5 it offers but cannot check for
 * this user (it has no APOP secret or no plaintext password). */
gboolean         pf_auth_mechanism_may_be_refused_for_itself (PfAuthMechanism mechanism);

/* The one method to try, on a new connection, after the server refused
 * @failed (when pf_auth_mechanism_may_be_refused_for_itself()): the
 * strongest pf_sasl_choose() pick that binds no channel and is neither APOP
 * nor CRAM-MD5, with the same plaintext rules. PF_AUTH_AUTO when there is
 * none or @failed is not such a mechanism (its refusal is the password's). */
PfAuthMechanism  pf_sasl_choose_fallback (PfAuthMechanism     failed,
                                          const char * const *server_mechanisms,
                                          gboolean            user_available,
                                          gboolean            tls_active,
                                          gboolean            allow_plaintext);

/* A server challenge (the text after "+ "), strictly base64 (RFC 4648 §4,
 * padded; "" is the empty challenge). Returns the decoded bytes (always
 * NUL-terminated after @len) or NULL with PF_ERROR_PROTOCOL. */
guint8          *pf_sasl_decode_challenge (const char  *text,
                                           gsize       *len,
                                           GError     **error);

/* APOP digest: lowercase hex MD5 of timestamp + secret. */
char            *pf_apop_digest (const char *timestamp,
                                 const char *secret);

typedef struct _PfSasl PfSasl;

/* @channel_binding: data for -PLUS mechanisms (tls-exporter or
 * tls-server-end-point), NULL otherwise. Fails with PF_ERROR_INVALID_INPUT on
 * a user name or secret the mechanism cannot carry. */
PfSasl          *pf_sasl_new  (PfAuthMechanism  mechanism,
                               const char      *user,
                               const char      *secret,
                               GBytes          *channel_binding,
                               GError         **error);
/* The same with the channel binding type named: "tls-exporter" (RFC 9266,
 * the one TLS 1.3 defines; the default) or "tls-server-end-point"
 * (RFC 5929). It goes into the GS2 header "p=<type>,," of -PLUS. Without
 * -PLUS, non-NULL @channel_binding makes the header "y,," (RFC 5802 §6:
 * we could bind, the server did not offer it) so a stripped -PLUS shows;
 * pass it only when the server offered no -PLUS mechanism, since a server
 * that supports binding must refuse "y". NULL makes the header "n,,". */
PfSasl          *pf_sasl_new_full (PfAuthMechanism  mechanism,
                                   const char      *user,
                                   const char      *secret,
                                   const char      *channel_binding_type,
                                   GBytes          *channel_binding,
                                   GError         **error);
void             pf_sasl_free (PfSasl          *sasl);

/* The name sent after AUTH. */
const char      *pf_sasl_get_name (PfSasl *sasl);

/* SASLprep (RFC 4013) for SCRAM user names and passwords: B.1 mapped to
 * nothing, non-ASCII spaces to SPACE, NFKC, prohibited characters refused
 * (PF_ERROR_INVALID_INPUT, message says why). Strings with right-to-left
 * characters are refused rather than checked against the bidi rules.
 * pf_sasl_new() applies it to SCRAM credentials; the other mechanisms send
 * the UTF-8 bytes as given. */
char            *pf_saslprep (const char  *input,
                              GError     **error);

/* Messages on the wire (all before base64):
 *   PLAIN        initial response "\0user\0secret" (RFC 4616)
 *   LOGIN        no initial response; answers the user name, then the secret
 *   CRAM-MD5     no initial response; "user hex(HMAC-MD5(secret, challenge))"
 *   SCRAM-*      RFC 5802/7677; initial response client-first, then
 *                client-final, then the server's "v=" is verified and an empty
 *                answer returned; user names escape ',' and '=' as =2C and =3D;
 *                the iteration count must be 4096 (RFC 7677's minimum) to
 *                1000000 (about a second of PBKDF2; more is refused before
 *                the work starts), else PF_ERROR_PROTOCOL
 *   XOAUTH2      initial response "user=U\1auth=Bearer T\1\1"; a later
 *                challenge (the server's JSON error) gets an empty answer
 *   OAUTHBEARER  initial response "n,a=U,\1auth=Bearer T\1\1" (RFC 7628);
 *                a later challenge gets "\1"
 *
 * One exchange step. @challenge is the decoded server challenge (NULL on the
 * first call: then an initial response is returned when the mechanism has
 * one, else an empty GBytes means "send AUTH without initial response").
 * *response is the raw (not yet base64) answer to send. Returns FALSE and
 * sets PF_ERROR_PROTOCOL when the server's data is malformed or its SCRAM
 * signature does not verify, PF_ERROR_AUTH_REJECTED when its SCRAM
 * server-final is an error ("e=..."). */
gboolean         pf_sasl_step (PfSasl         *sasl,
                               const guint8   *challenge,
                               gsize           challenge_len,
                               GBytes        **response,
                               GError        **error);

/* TRUE once the server proved itself (SCRAM server signature verified), or
 * for mechanisms with no server proof once the last step was sent. The
 * client checks this after +OK so a SCRAM server cannot skip its proof. */
gboolean         pf_sasl_is_complete (PfSasl *sasl);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfSasl, pf_sasl_free)

G_END_DECLS
