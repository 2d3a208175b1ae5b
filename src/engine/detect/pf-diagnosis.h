/* pf-diagnosis.h — a login test and what it says about a failure
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pf-cert-info.h"
#include "pf-credentials.h"
#include "pf-error.h"
#include "pf-pop3-client.h"
#include "pf-port-map.h"
#include "pf-provider.h"

G_BEGIN_DECLS

typedef enum
{
  PF_DIAGNOSIS_STEP_NONE,            /* nothing failed */
  PF_DIAGNOSIS_STEP_LOOKUP,          /* the host name did not resolve */
  PF_DIAGNOSIS_STEP_CONNECT,         /* TCP connect or the greeting */
  PF_DIAGNOSIS_STEP_TLS,             /* TLS handshake or certificate */
  PF_DIAGNOSIS_STEP_STLS,            /* the STLS upgrade on port 110 */
  PF_DIAGNOSIS_STEP_AUTHENTICATION,  /* user name, password, mechanism */
  PF_DIAGNOSIS_STEP_MAILBOX,         /* mailbox locked, login delay, server trouble after login */
} PfDiagnosisStep;

const char      *pf_diagnosis_step_to_string (PfDiagnosisStep step);  /* "lookup", "tls", … */
const char      *pf_diagnosis_step_describe  (PfDiagnosisStep step);  /* translated */

/* Pure: which step an error from PfPop3Client belongs to. */
PfDiagnosisStep  pf_diagnosis_step_for_error (const GError *error);

/* What the provider table says about a failure; nicks "none",
 * "app-password", "oauth2", "login-delay", "no-pop3", "pop3-off",
 * "web-login". */
typedef enum
{
  PF_PROVIDER_HINT_NONE,
  PF_PROVIDER_HINT_APP_PASSWORD,   /* Gmail, Yahoo, AOL, Fastmail…: an app password, not the password */
  PF_PROVIDER_HINT_OAUTH2,         /* Outlook.com, Microsoft 365: only an OAuth2 sign-in */
  PF_PROVIDER_HINT_LOGIN_DELAY,    /* [LOGIN-DELAY] or LOGIN-DELAY in CAPA */
  PF_PROVIDER_HINT_NO_POP3,        /* iCloud, Proton: no POP3 at all */
  PF_PROVIDER_HINT_POP3_OFF,       /* GMX, WEB.DE, Gmail…: POP3 switched off in the account */
  PF_PROVIDER_HINT_WEB_LOGIN,      /* Gmail "Web login required": sign in on the website first */
} PfProviderHint;

#define PF_TYPE_PROVIDER_HINT (pf_provider_hint_get_type ())
GType            pf_provider_hint_get_type (void) G_GNUC_CONST;

/* Pure: the provider the table knows for the address's domain, else for
 * the server host; either may be NULL. (transfer none) */
PfProvider      *pf_provider_for_login (const char *host,
                                        const char *address);
/* Pure: the hint that applies, from the server host, the address (either
 * may be NULL), the error (NULL on success) and the announced LOGIN-DELAY
 * in seconds (-1 when none). The provider table decides: its sign-in
 * methods, whether POP3 must be switched on, and what its server's reply
 * text means. */
PfProviderHint   pf_provider_hint_for (const char   *host,
                                       const char   *address,
                                       const GError *error,
                                       gint64        login_delay);
/* Translated sentences for the hint, naming @provider (may be NULL) and
 * where to act; NULL for NONE. */
char            *pf_provider_hint_describe (PfProviderHint    hint,
                                            const PfProvider *provider,
                                            gint64            login_delay);

/* The user names to try, in order, without duplicates: @user when given
 * (only that one), else the full address, then its local part. Pure. */
char           **pf_diagnosis_user_candidates (const char *user,
                                               const char *address);

#define PF_TYPE_DIAGNOSIS (pf_diagnosis_get_type ())

G_DECLARE_FINAL_TYPE (PfDiagnosis, pf_diagnosis, PF, DIAGNOSIS, GObject)

gboolean              pf_diagnosis_get_success      (PfDiagnosis *self);
PfDiagnosisStep       pf_diagnosis_get_failed_step  (PfDiagnosis *self);
/* NULL on success. */
const GError         *pf_diagnosis_get_error        (PfDiagnosis *self);
/* pf_error_explain() of the error, NULL on success. */
const PfExplanation  *pf_diagnosis_get_explanation  (PfDiagnosis *self);
PfProviderHint        pf_diagnosis_get_hint         (PfDiagnosis *self);
/* The provider the table knows for the address or the server, or NULL. */
PfProvider           *pf_diagnosis_get_provider     (PfDiagnosis *self);
/* Translated, or NULL. */
const char           *pf_diagnosis_get_hint_text    (PfDiagnosis *self);
/* The user name that logged in (or was tried last) and the mechanism that
 * logged in (or was sent last: a -PLUS is named as such). */
const char           *pf_diagnosis_get_user         (PfDiagnosis *self);
PfAuthMechanism       pf_diagnosis_get_mechanism    (PfDiagnosis *self);
/* TRUE when the login worked with the method tried after the first was
 * refused as a method (PF_ERROR_AUTH_MECHANISM_FAILED): a saved account
 * that left the method to Popfetch remembers pf_diagnosis_get_mechanism()
 * then (pf_account_store_remember_mechanism_async()), so the next login
 * goes straight to what worked. */
gboolean              pf_diagnosis_get_fell_back    (PfDiagnosis *self);
/* Every mechanism sent, in order, one per login attempt. */
const PfAuthMechanism *pf_diagnosis_get_mechanisms_tried (PfDiagnosis *self,
                                                         guint       *n_tried);
/* How many logins were attempted: one per user-name form, plus at most
 * one retry with another method after a refusal that may be the method's
 * (PF_ERROR_AUTH_MECHANISM_FAILED). */
guint                 pf_diagnosis_get_attempts     (PfDiagnosis *self);
/* Facts from the last session; NULL when it never got that far. */
const char           *pf_diagnosis_get_greeting     (PfDiagnosis *self);
const PfCapabilities *pf_diagnosis_get_capabilities (PfDiagnosis *self);
const PfCertInfo     *pf_diagnosis_get_cert_info    (PfDiagnosis *self);
const char           *pf_diagnosis_get_tls_description (PfDiagnosis *self);
/* STAT after a successful login. */
guint                 pf_diagnosis_get_message_count (PfDiagnosis *self);
guint64               pf_diagnosis_get_mailbox_size  (PfDiagnosis *self);
/* Every session's redacted transcript, in order. (transfer none) */
GPtrArray            *pf_diagnosis_get_transcripts  (PfDiagnosis *self);
/* All of them as text, sessions separated by a blank line. */
char                 *pf_diagnosis_dup_transcript_text (PfDiagnosis *self);

#define PF_TYPE_LOGIN_TEST (pf_login_test_get_type ())

G_DECLARE_FINAL_TYPE (PfLoginTest, pf_login_test, PF, LOGIN_TEST, GObject)

/* The settings' host is resolved with their resolver (NULL: the system
 * one) and their port map applied; each session checks the certificate
 * for the settings' effective identity. Timeout 0 there: 15 seconds. */
PfLoginTest  *pf_login_test_new (PfServerSettings *settings);
/* The test's settings, read when it runs: adjustable until then. */
PfServerSettings *pf_login_test_get_settings (PfLoginTest *self);

/* The address gives the user-name fallbacks and provider hints. */
void          pf_login_test_set_address     (PfLoginTest     *self,
                                             const char      *address);
/* When set, only this user name is tried. */
void          pf_login_test_set_user        (PfLoginTest     *self,
                                             const char      *user);
void          pf_login_test_set_mechanism   (PfLoginTest     *self,
                                             PfAuthMechanism  mechanism);  /* default AUTO */

/* Resolve, connect (TLS/STLS as set), log in — one attempt per user-name
 * form, stopping at success or at any error but PF_ERROR_AUTH_REJECTED or
 * PF_ERROR_AUTH_MECHANISM_FAILED; after the latter, with the mechanism left
 * to Popfetch, once more on a new connection with
 * pf_pop3_client_choose_fallback()'s method, which the later user-name
 * forms then use too — STAT, QUIT. A failed login is not an error here: it is a diagnosis.
 * Fails only with G_IO_ERROR_CANCELLED. @credentials are asked once,
 * when the first session is up (a failure there is a diagnosis at the
 * authentication step); the secret serves every attempt of the run and is
 * wiped after the login succeeds or the run ends. */
void          pf_login_test_run_async  (PfLoginTest         *self,
                                        PfCredentials       *credentials,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
PfDiagnosis  *pf_login_test_run_finish (PfLoginTest         *self,
                                        GAsyncResult        *result,
                                        GError             **error);

G_END_DECLS
