/* pf-cert-info.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <glib/gi18n.h>

#include "pf-cert-info.h"

G_DEFINE_BOXED_TYPE (PfCertInfo, pf_cert_info, pf_cert_info_copy, pf_cert_info_free)

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)

void
pf_cert_info_free (PfCertInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->subject);
  g_free (info->issuer);
  g_strfreev (info->names);
  g_clear_pointer (&info->not_before, g_date_time_unref);
  g_clear_pointer (&info->not_after, g_date_time_unref);
  g_free (info->sha256);
  g_free (info);
}

PfCertInfo *
pf_cert_info_copy (const PfCertInfo *info)
{
  PfCertInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_new0 (PfCertInfo, 1);
  copy->subject = g_strdup (info->subject);
  copy->issuer = g_strdup (info->issuer);
  copy->names = g_strdupv (info->names);
  copy->not_before = info->not_before ? g_date_time_ref (info->not_before) : NULL;
  copy->not_after = info->not_after ? g_date_time_ref (info->not_after) : NULL;
  copy->sha256 = g_strdup (info->sha256);
  copy->self_signed = info->self_signed;
  copy->errors = info->errors;
  return copy;
}

static char *
datum_to_string (gnutls_datum_t *datum)
{
  char *text = g_strndup ((const char *) datum->data, datum->size);

  gnutls_free (datum->data);
  datum->data = NULL;
  return text;
}

static char **
read_alt_names (gnutls_x509_crt_t crt)
{
  GPtrArray *names = g_ptr_array_new ();

  for (guint seq = 0; seq < 256; seq++)
    {
      guint8 buf[512];
      size_t size = sizeof buf - 1;
      int type = gnutls_x509_crt_get_subject_alt_name (crt, seq, buf, &size, NULL);

      if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        break;
      if (type < 0)
        continue;

      if (type == GNUTLS_SAN_DNSNAME)
        g_ptr_array_add (names, g_strndup ((const char *) buf, size));
      else if (type == GNUTLS_SAN_IPADDRESS && (size == 4 || size == 16))
        {
          g_autoptr(GInetAddress) address =
            g_inet_address_new_from_bytes (buf, size == 4 ? G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6);
          g_ptr_array_add (names, g_inet_address_to_string (address));
        }
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

PfCertInfo *
pf_cert_info_new (GTlsCertificate       *certificate,
                  GTlsCertificateFlags   errors,
                  GError               **error)
{
  g_autoptr(GByteArray) der = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_autoptr(PfCertInfo) info = NULL;
  gnutls_datum_t datum;
  time_t t;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL || gnutls_x509_crt_init (&crt) < 0)
    goto unreadable;

  datum.data = der->data;
  datum.size = der->len;
  if (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER) < 0)
    goto unreadable;

  info = g_new0 (PfCertInfo, 1);
  info->errors = errors;
  info->sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);

  if (gnutls_x509_crt_get_dn2 (crt, &datum) >= 0)
    info->subject = datum_to_string (&datum);
  else
    info->subject = g_strdup ("");
  if (gnutls_x509_crt_get_issuer_dn2 (crt, &datum) >= 0)
    info->issuer = datum_to_string (&datum);
  else
    info->issuer = g_strdup ("");

  info->names = read_alt_names (crt);

  t = gnutls_x509_crt_get_activation_time (crt);
  if (t != (time_t) -1)
    info->not_before = g_date_time_new_from_unix_utc (t);
  t = gnutls_x509_crt_get_expiration_time (crt);
  if (t != (time_t) -1)
    info->not_after = g_date_time_new_from_unix_utc (t);

  info->self_signed = gnutls_x509_crt_check_issuer (crt, crt) == 1;

  return g_steal_pointer (&info);

unreadable:
  g_set_error_literal (error, PF_ERROR, PF_ERROR_PROTOCOL,
                       _("The server’s certificate could not be read."));
  return NULL;
}

char *
pf_cert_info_format_fingerprint (const char *sha256_hex)
{
  GString *out;

  g_return_val_if_fail (sha256_hex != NULL, NULL);

  out = g_string_new (NULL);
  for (const char *p = sha256_hex; p[0] != '\0' && p[1] != '\0'; p += 2)
    {
      if (out->len > 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (p[0]));
      g_string_append_c (out, g_ascii_toupper (p[1]));
    }
  return g_string_free (out, FALSE);
}

char **
pf_cert_errors_describe (GTlsCertificateFlags errors)
{
  GPtrArray *words = g_ptr_array_new ();

  if (errors & G_TLS_CERTIFICATE_EXPIRED)
    g_ptr_array_add (words, g_strdup (_("expired")));
  if (errors & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    g_ptr_array_add (words, g_strdup (_("not valid yet")));
  if (errors & G_TLS_CERTIFICATE_BAD_IDENTITY)
    g_ptr_array_add (words, g_strdup (_("issued for another host name")));
  if (errors & G_TLS_CERTIFICATE_UNKNOWN_CA)
    g_ptr_array_add (words, g_strdup (_("not signed by an authority this computer trusts")));
  if (errors & G_TLS_CERTIFICATE_REVOKED)
    g_ptr_array_add (words, g_strdup (_("revoked")));
  if (errors & G_TLS_CERTIFICATE_INSECURE)
    g_ptr_array_add (words, g_strdup (_("uses an insecure algorithm")));
  if (errors & G_TLS_CERTIFICATE_GENERIC_ERROR)
    g_ptr_array_add (words, g_strdup (_("failed another check")));
  g_ptr_array_add (words, NULL);
  return (char **) g_ptr_array_free (words, FALSE);
}

PfErrorCode
pf_cert_errors_to_code (GTlsCertificateFlags errors)
{
  if (errors & (G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_NOT_ACTIVATED))
    return PF_ERROR_CERT_EXPIRED;
  if (errors & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return PF_ERROR_CERT_HOST;
  return PF_ERROR_CERT_UNTRUSTED;
}
