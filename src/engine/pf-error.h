/* pf-error.h
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PF_ERROR (pf_error_quark ())

/* Codes classify a failure the way a user needs it, not the way the code
 * found it. GIO, TLS and resolver errors keep their own domains until they
 * reach pf_error_explain(). Append only: the numbers appear in JSON output. */
typedef enum
{
  PF_ERROR_RESOLVE,              /* the host name did not resolve */
  PF_ERROR_REFUSED,              /* nothing listens on that port */
  PF_ERROR_TIMEOUT,              /* connect, greeting or a read took too long */
  PF_ERROR_CLOSED,               /* the server closed the connection unexpectedly */
  PF_ERROR_TLS_HANDSHAKE,        /* TLS could not be negotiated (incl. plaintext on a TLS port) */
  PF_ERROR_CERT_UNTRUSTED,       /* self-signed or unknown issuer */
  PF_ERROR_CERT_EXPIRED,         /* expired or not yet valid */
  PF_ERROR_CERT_HOST,            /* certificate is for another host */
  PF_ERROR_CERT_PIN_MISMATCH,    /* pinned fingerprint no longer matches */
  PF_ERROR_STLS_UNAVAILABLE,     /* STLS required, missing from CAPA or refused */
  PF_ERROR_STLS_INJECTION,       /* bytes after +OK to STLS, before the handshake */
  PF_ERROR_PLAINTEXT_REFUSED,    /* credentials would cross an unencrypted link */
  PF_ERROR_AUTH_REJECTED,        /* user name or password refused ([AUTH] or plain -ERR) */
  PF_ERROR_NO_COMMON_MECHANISM,  /* no authentication method both sides allow */
  PF_ERROR_IN_USE,               /* [IN-USE]: mailbox locked by another session */
  PF_ERROR_LOGIN_DELAY,          /* [LOGIN-DELAY]: logged in too recently */
  PF_ERROR_SYS_TEMP,             /* [SYS/TEMP]: temporary server problem */
  PF_ERROR_SYS_PERM,             /* [SYS/PERM]: permanent server problem */
  PF_ERROR_SERVER,               /* any other -ERR to a command */
  PF_ERROR_PROTOCOL,             /* the server broke the protocol */
  PF_ERROR_LOCAL_DISK,           /* writing the Maildir or journal failed (full, read-only…) */
  PF_ERROR_ACCOUNT_BUSY,         /* another fetch of this account is running */
  PF_ERROR_NO_UIDL,              /* server lacks UIDL and no safe fallback applies */
  PF_ERROR_KEYRING_UNAVAILABLE,  /* no Secret Service running */
  PF_ERROR_KEYRING_LOCKED,       /* keyring stays locked */
  PF_ERROR_NO_PASSWORD,          /* no password stored for the account */
  PF_ERROR_CONFIG,               /* accounts file unreadable or invalid */
  PF_ERROR_INVALID_INPUT,        /* e.g. CR/LF in a user name, bad address */
  PF_ERROR_NOT_FOUND,            /* detection found no POP3 server */
  PF_ERROR_AUTH_MECHANISM_FAILED, /* the sign-in method failed, maybe not the password
                                  * (a -PLUS binding, an APOP the server cannot check) */
  PF_ERROR_TLS_OUTDATED,         /* the server negotiated TLS older than 1.2 */
} PfErrorCode;

#define PF_ERROR_N_CODES (PF_ERROR_TLS_OUTDATED + 1)

GQuark pf_error_quark (void);

/* What the CLI prints and the GUI shows for any GError. All three strings
 * are translated, complete sentences (title is a short heading). */
typedef struct
{
  char *title;
  char *what;     /* what happened, with server text when it helps */
  char *next;     /* what to try next */
} PfExplanation;

/* Every PF_ERROR code, the common G_IO_ERROR, G_TLS_ERROR and
 * G_RESOLVER_ERROR codes have their own text; anything else (or NULL) gets
 * a generic one. error->message is appended to @what, sanitised: as "The
 * server said: “…”" for codes that carry server text (AUTH_REJECTED,
 * IN_USE, LOGIN_DELAY, SYS_TEMP, SYS_PERM, SERVER), else as "Details: …"
 * (so put facts like a certificate's expiry date in the message). */
PfExplanation *pf_error_explain      (const GError  *error);
void           pf_explanation_free   (PfExplanation *explanation);
/* TRUE when pf_error_explain() had no specific text for the error. */
gboolean       pf_explanation_is_fallback (const PfExplanation *explanation);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfExplanation, pf_explanation_free)

G_END_DECLS
