/* pf-certificate-view.h — a certificate that failed its checks, in words
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pf-cert-info.h"

G_BEGIN_DECLS

#define PF_TYPE_CERTIFICATE_VIEW (pf_certificate_view_get_type ())

G_DECLARE_FINAL_TYPE (PfCertificateView, pf_certificate_view, PF, CERTIFICATE_VIEW, GtkBox)

/* Signals: "cancel" and "trust" (the user chose to pin this certificate). */
GtkWidget  *pf_certificate_view_new             (void);
void        pf_certificate_view_set_info        (PfCertificateView    *self,
                                                 const PfCertInfo     *info,
                                                 const char           *host);
/* Lowercase hex SHA-256 of the shown certificate's DER. */
const char *pf_certificate_view_get_fingerprint (PfCertificateView    *self);
GtkWidget  *pf_certificate_view_get_cancel_button (PfCertificateView  *self);

/* Pure: each failed check in words, one string per set flag, NULL-terminated. */
char      **pf_certificate_describe_errors      (GTlsCertificateFlags  errors);

G_END_DECLS
