/* pf-probe.h — one candidate (host, port, security) and what probing it found
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pf-cert-info.h"
#include "pf-pop3-client.h"
#include "pf-pop3-parse.h"
#include "pf-sasl.h"

G_BEGIN_DECLS

/* Where a candidate host came from (a set: several lookups may name it). */
typedef enum
{
  PF_PROBE_SOURCE_AUTOCONFIG = 1 << 0,
  PF_PROBE_SOURCE_ISPDB      = 1 << 1,
  PF_PROBE_SOURCE_SRV        = 1 << 2,
  PF_PROBE_SOURCE_GUESS      = 1 << 3,
  PF_PROBE_SOURCE_VIA_MX     = 1 << 4,   /* found for the MX host's domain */
  PF_PROBE_SOURCE_PROVIDER   = 1 << 5,   /* a server the provider table names */
} PfProbeSource;

/* "autoconfig,srv" and the like. */
char       *pf_probe_source_to_string (PfProbeSource sources);

typedef enum
{
  PF_PROBE_STATE_PENDING,
  PF_PROBE_STATE_RUNNING,
  PF_PROBE_STATE_DONE,
} PfProbeState;

typedef enum
{
  PF_PROBE_VERDICT_PENDING,
  PF_PROBE_VERDICT_SECURE,          /* TLS (995 or STLS) with a valid certificate */
  PF_PROBE_VERDICT_PINNED,          /* TLS with a certificate the user pinned */
  PF_PROBE_VERDICT_CERT_INVALID,    /* TLS works but the certificate failed its checks */
  PF_PROBE_VERDICT_PLAINTEXT,       /* POP3 without encryption: only on explicit opt-in */
  PF_PROBE_VERDICT_STLS_MISSING,    /* 110 answers but STLS is not offered or refused (maybe stripped) */
  PF_PROBE_VERDICT_STLS_INJECTION,  /* bytes injected after +OK to STLS: an attack */
  PF_PROBE_VERDICT_FAILED,          /* unreachable, not POP3, TLS broken: see the error */
  PF_PROBE_VERDICT_TLS_OUTDATED,    /* TLS works, but only older than 1.2: unsafe */
} PfProbeVerdict;

const char *pf_probe_verdict_to_string (PfProbeVerdict verdict);  /* "secure", "stls-missing", … */
/* A translated phrase for tables: "secure", "STLS missing", … */
const char *pf_probe_verdict_describe  (PfProbeVerdict verdict);

typedef enum
{
  PF_PROBE_IMAP_UNKNOWN,
  PF_PROBE_IMAP_OPEN,       /* something accepts connections on 993 */
  PF_PROBE_IMAP_CLOSED,
} PfProbeImap;

#define PF_TYPE_PROBE (pf_probe_get_type ())

G_DECLARE_FINAL_TYPE (PfProbe, pf_probe, PF, PROBE, GObject)

/* Made by the detector; @port is the port as published (995, 110 or an SRV
 * or autoconfig port), before any port map. */
PfProbe              *pf_probe_new (const char    *host,
                                    guint16        port,
                                    PfSecurity     security,
                                    PfProbeSource  sources,
                                    guint          order);

const char           *pf_probe_get_host         (PfProbe *self);
guint16               pf_probe_get_port         (PfProbe *self);
PfSecurity            pf_probe_get_security     (PfProbe *self);
PfProbeSource         pf_probe_get_sources      (PfProbe *self);
/* Discovery order, the last tie-breaker of the ranking. */
guint                 pf_probe_get_order        (PfProbe *self);
/* The address and port really dialled (after resolver and port map), or
 * NULL/0 before resolution. */
const char           *pf_probe_get_connect_address (PfProbe *self);
guint16               pf_probe_get_connect_port (PfProbe *self);
/* Every address the host name resolved to, sorted; NULL before
 * resolution. */
const char * const   *pf_probe_get_addresses    (PfProbe *self);
/* The user name the provider's autoconfig names, or NULL. */
const char           *pf_probe_get_username_hint (PfProbe *self);

PfProbeState          pf_probe_get_state        (PfProbe *self);
PfProbeVerdict        pf_probe_get_verdict      (PfProbe *self);
/* Why the probe is not SECURE (NULL for SECURE and PINNED and while pending). */
const GError         *pf_probe_get_error        (PfProbe *self);
/* 1 for the best usable candidate, 2 for the next…; 0 = not usable. */
guint                 pf_probe_get_rank         (PfProbe *self);
/* Milliseconds from the start of the probe to its verdict. */
guint                 pf_probe_get_duration_ms  (PfProbe *self);

/* Facts, valid once DONE and reachable. The greeting is sanitised, and for
 * STARTTLS (read before TLS) not kept at all. CAPA is the one after TLS. */
const char           *pf_probe_get_greeting     (PfProbe *self);
const PfCapabilities *pf_probe_get_capabilities (PfProbe *self);
gboolean              pf_probe_get_apop         (PfProbe *self);
/* Strongest mechanism a login would use here (pf_sasl_choose), or
 * PF_AUTH_AUTO when none fits. */
PfAuthMechanism       pf_probe_get_best_mechanism (PfProbe *self);
const PfCertInfo     *pf_probe_get_cert_info    (PfProbe *self);
const char           *pf_probe_get_tls_description (PfProbe *self);
/* Whether the same host answers on 993 (IMAP; noted, not used). */
PfProbeImap           pf_probe_get_imap         (PfProbe *self);

/* Ranking, pure. Negative when @a ranks before @b. Classes: TLS with a
 * valid certificate, then STARTTLS with a valid certificate, then a pinned
 * certificate, then (with @allow_plaintext only) plaintext; then sources
 * (the provider table's servers first, then autoconfig, ISPDB and SRV
 * before guesses; the address's own domain before the MX's), then
 * authentication strength, then discovery order.
 * Unusable probes rank after all usable ones. */
int                   pf_probe_compare_rank (PfProbe  *a,
                                             PfProbe  *b,
                                             gboolean  allow_plaintext);
gboolean              pf_probe_is_usable    (PfProbe  *self,
                                             gboolean  allow_plaintext);
/* TRUE when @pending (not yet DONE) could still end up ranked before
 * @best: the detector waits for it before recommending @best. */
gboolean              pf_probe_could_outrank (PfProbe  *pending,
                                              PfProbe  *best,
                                              gboolean  allow_plaintext);

/* For the detector. */
void                  pf_probe_add_sources      (PfProbe       *self,
                                                 PfProbeSource  sources);
void                  pf_probe_set_username_hint (PfProbe      *self,
                                                 const char    *user);
void                  pf_probe_set_connect      (PfProbe       *self,
                                                 const char    *address,
                                                 guint16        port);
/* @addresses: every address the host resolved to, in any order. */
void                  pf_probe_set_addresses    (PfProbe            *self,
                                                 const char * const *addresses);
void                  pf_probe_set_running      (PfProbe       *self);
void                  pf_probe_set_rank         (PfProbe       *self,
                                                 guint          rank);
void                  pf_probe_set_imap         (PfProbe       *self,
                                                 PfProbeImap    imap);
/* Record the outcome from a client after connect_async finished, with
 * @error NULL on success. @pins: lowercase hex SHA-256 the user trusts. */
void                  pf_probe_complete         (PfProbe            *self,
                                                 PfPop3Client       *client,
                                                 const GError       *error,
                                                 const char * const *pins);
/* Record a failure before any client ran (resolve error, closed port). */
void                  pf_probe_fail             (PfProbe       *self,
                                                 const GError  *error);

G_END_DECLS
