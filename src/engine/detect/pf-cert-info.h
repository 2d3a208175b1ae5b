/* pf-cert-info.h — the facts of a server certificate, read with GnuTLS
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pf-error.h"

G_BEGIN_DECLS

#define PF_TYPE_CERT_INFO (pf_cert_info_get_type ())

typedef struct
{
  char                 *subject;      /* RFC 4514 distinguished name */
  char                 *issuer;       /* RFC 4514 distinguished name */
  char                **names;        /* subject alternative names: DNS names and IP literals; never NULL */
  GDateTime            *not_before;   /* UTC */
  GDateTime            *not_after;    /* UTC */
  char                 *sha256;       /* lowercase hex SHA-256 of the DER, what a pin holds */
  gboolean              self_signed;
  GTlsCertificateFlags  errors;       /* the checks it failed for this host (0 = valid) */
} PfCertInfo;

GType       pf_cert_info_get_type (void) G_GNUC_CONST;

/* Reads @certificate (the leaf). Fails with PF_ERROR_PROTOCOL when it cannot
 * be parsed. @errors is stored as given. */
PfCertInfo *pf_cert_info_new  (GTlsCertificate       *certificate,
                               GTlsCertificateFlags   errors,
                               GError               **error);
PfCertInfo *pf_cert_info_copy (const PfCertInfo      *info);
void        pf_cert_info_free (PfCertInfo            *info);

/* "AB:CD:…", the way certificate viewers show a fingerprint. */
char       *pf_cert_info_format_fingerprint (const char *sha256_hex);

/* The failed checks in words, one translated phrase per check, e.g.
 * "expired", "issued for another host name". Empty for 0. */
char      **pf_cert_errors_describe (GTlsCertificateFlags errors);

/* The PF_ERROR code a user needs for these failed checks: CERT_EXPIRED,
 * CERT_HOST or CERT_UNTRUSTED (expired beats host beats trust, the order
 * in which fixing them makes sense). @errors must not be 0. */
PfErrorCode pf_cert_errors_to_code  (GTlsCertificateFlags errors);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfCertInfo, pf_cert_info_free)

G_END_DECLS
