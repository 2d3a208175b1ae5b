/* pf-test-certs.c — a test PKI made with GnuTLS at test time
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "pf-test-certs.h"

#define DAY_SECONDS (24 * 60 * 60)

typedef struct
{
  gnutls_x509_privkey_t key;
  gnutls_x509_crt_t     crt;
  char                 *crt_pem;
  char                 *key_pem;
} PfTestCertPair;

static GMutex          certs_lock;
static char           *certs_dir;
static char           *ca_file;
static PfTestCertPair *test_ca;
static PfTestCertPair *rogue_ca;
static GHashTable     *servers;   /* "kind|name,name" -> PfTestCertPair */
static guint           next_serial = 1;

static const char * const default_names[] = { "localhost", "127.0.0.1", "::1", NULL };
static const char * const wrong_names[] = { "wrong.example", NULL };

static void
check_gnutls (int         ret,
              const char *what)
{
  if (ret < 0)
    g_error ("pf-test-certs: %s: %s", what, gnutls_strerror (ret));
}

static char *
export_datum (gnutls_datum_t *datum)
{
  char *text = g_strndup ((const char *) datum->data, datum->size);

  gnutls_free (datum->data);
  return text;
}

static void
cert_pair_free (PfTestCertPair *pair)
{
  gnutls_x509_crt_deinit (pair->crt);
  gnutls_x509_privkey_deinit (pair->key);
  g_free (pair->crt_pem);
  g_free (pair->key_pem);
  g_free (pair);
}

static void
set_serial (gnutls_x509_crt_t crt)
{
  guint8 serial[4];
  guint value = next_serial++;

  /* Positive big-endian integer, unique within this process. */
  serial[0] = 0x10;
  serial[1] = (value >> 16) & 0xff;
  serial[2] = (value >> 8) & 0xff;
  serial[3] = value & 0xff;
  check_gnutls (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), "serial");
}

static void
add_subject_alt_name (gnutls_x509_crt_t  crt,
                      const char        *name)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (name);

  if (address != NULL)
    check_gnutls (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS,
                                                        g_inet_address_to_bytes (address),
                                                        g_inet_address_get_native_size (address),
                                                        GNUTLS_FSAN_APPEND),
                  "IP subject alternative name");
  else
    check_gnutls (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME,
                                                        name, strlen (name),
                                                        GNUTLS_FSAN_APPEND),
                  "DNS subject alternative name");
}

/* Makes a key and a certificate. @issuer NULL means self-signed. */
static PfTestCertPair *
make_cert (const char           *common_name,
           gboolean              is_ca,
           const char * const   *names,
           time_t                not_before,
           time_t                not_after,
           PfTestCertPair       *issuer)
{
  PfTestCertPair *pair = g_new0 (PfTestCertPair, 1);
  guint8 key_id[64];
  size_t key_id_size = sizeof key_id;
  gnutls_datum_t datum = { NULL, 0 };

  check_gnutls (gnutls_x509_privkey_init (&pair->key), "key init");
  check_gnutls (gnutls_x509_privkey_generate (pair->key, GNUTLS_PK_ECDSA,
                                              GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0),
                "key generation");

  check_gnutls (gnutls_x509_crt_init (&pair->crt), "certificate init");
  check_gnutls (gnutls_x509_crt_set_version (pair->crt, 3), "version");
  set_serial (pair->crt);
  check_gnutls (gnutls_x509_crt_set_activation_time (pair->crt, not_before), "activation");
  check_gnutls (gnutls_x509_crt_set_expiration_time (pair->crt, not_after), "expiration");
  check_gnutls (gnutls_x509_crt_set_dn_by_oid (pair->crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
                                               "Popfetch tests", strlen ("Popfetch tests")),
                "organization");
  check_gnutls (gnutls_x509_crt_set_dn_by_oid (pair->crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                               common_name, strlen (common_name)),
                "common name");
  check_gnutls (gnutls_x509_crt_set_key (pair->crt, pair->key), "public key");

  check_gnutls (gnutls_x509_crt_get_key_id (pair->crt, 0, key_id, &key_id_size), "key id");
  check_gnutls (gnutls_x509_crt_set_subject_key_id (pair->crt, key_id, key_id_size), "subject key id");

  if (is_ca)
    {
      check_gnutls (gnutls_x509_crt_set_basic_constraints (pair->crt, 1, -1), "constraints");
      check_gnutls (gnutls_x509_crt_set_key_usage (pair->crt,
                                                   GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN),
                    "key usage");
    }
  else
    {
      check_gnutls (gnutls_x509_crt_set_basic_constraints (pair->crt, 0, -1), "constraints");
      check_gnutls (gnutls_x509_crt_set_key_usage (pair->crt, GNUTLS_KEY_DIGITAL_SIGNATURE),
                    "key usage");
      check_gnutls (gnutls_x509_crt_set_key_purpose_oid (pair->crt, GNUTLS_KP_TLS_WWW_SERVER, 0),
                    "key purpose");
      for (guint i = 0; names != NULL && names[i] != NULL; i++)
        add_subject_alt_name (pair->crt, names[i]);
    }

  if (issuer != NULL)
    {
      key_id_size = sizeof key_id;
      check_gnutls (gnutls_x509_crt_get_subject_key_id (issuer->crt, key_id, &key_id_size, NULL),
                    "issuer key id");
      check_gnutls (gnutls_x509_crt_set_authority_key_id (pair->crt, key_id, key_id_size),
                    "authority key id");
      check_gnutls (gnutls_x509_crt_sign2 (pair->crt, issuer->crt, issuer->key,
                                           GNUTLS_DIG_SHA256, 0),
                    "signing");
    }
  else
    check_gnutls (gnutls_x509_crt_sign2 (pair->crt, pair->crt, pair->key, GNUTLS_DIG_SHA256, 0),
                  "self-signing");

  check_gnutls (gnutls_x509_crt_export2 (pair->crt, GNUTLS_X509_FMT_PEM, &datum), "export");
  pair->crt_pem = export_datum (&datum);
  /* PKCS#8 "PRIVATE KEY": what both GIO (GLib 2.74) and Dovecot load. */
  check_gnutls (gnutls_x509_privkey_export2_pkcs8 (pair->key, GNUTLS_X509_FMT_PEM, NULL,
                                                   GNUTLS_PKCS_PLAIN, &datum),
                "key export");
  pair->key_pem = export_datum (&datum);

  return pair;
}

static void
remove_certs_dir (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (certs_dir == NULL)
    return;
  dir = g_dir_open (certs_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (certs_dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (certs_dir);
}

static void
write_or_die (const char *path,
              const char *text,
              int         mode)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, mode, &error))
    g_error ("pf-test-certs: %s", error->message);
}

/* Called with certs_lock held. */
static void
ensure_cas (void)
{
  time_t now = time (NULL);
  g_autoptr(GError) error = NULL;

  if (test_ca != NULL)
    return;

  check_gnutls (gnutls_global_init (), "global init");
  certs_dir = g_dir_make_tmp ("popfetch-test-certs-XXXXXX", &error);
  if (certs_dir == NULL)
    g_error ("pf-test-certs: %s", error->message);
  atexit (remove_certs_dir);

  test_ca = make_cert ("Popfetch Test CA", TRUE, NULL,
                       now - DAY_SECONDS, now + 3650 * (time_t) DAY_SECONDS, NULL);
  rogue_ca = make_cert ("Untrusted Test CA", TRUE, NULL,
                        now - DAY_SECONDS, now + 3650 * (time_t) DAY_SECONDS, NULL);
  servers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) cert_pair_free);

  ca_file = g_build_filename (certs_dir, "ca.pem", NULL);
  write_or_die (ca_file, test_ca->crt_pem, 0644);
}

static const char *
kind_name (PfTestCertKind kind)
{
  switch (kind)
    {
    case PF_TEST_CERT_VALID: return "valid";
    case PF_TEST_CERT_EXPIRED: return "expired";
    case PF_TEST_CERT_NOT_YET_VALID: return "not-yet-valid";
    case PF_TEST_CERT_WRONG_HOST: return "wrong-host";
    case PF_TEST_CERT_SELF_SIGNED: return "self-signed";
    case PF_TEST_CERT_UNKNOWN_CA: return "unknown-ca";
    default: g_assert_not_reached ();
    }
}

/* Called with certs_lock held. */
static PfTestCertPair *
lookup_server (PfTestCertKind      kind,
               const char * const *names)
{
  time_t now = time (NULL);
  time_t not_before = now - DAY_SECONDS;
  time_t not_after = now + 365 * (time_t) DAY_SECONDS;
  PfTestCertPair *issuer;
  PfTestCertPair *pair;
  g_autofree char *joined = NULL;
  g_autofree char *cache_key = NULL;

  ensure_cas ();
  issuer = test_ca;

  if (kind == PF_TEST_CERT_WRONG_HOST || names == NULL)
    names = kind == PF_TEST_CERT_WRONG_HOST ? wrong_names : default_names;
  joined = g_strjoinv (",", (char **) names);
  cache_key = g_strdup_printf ("%s|%s", kind_name (kind), joined);

  pair = g_hash_table_lookup (servers, cache_key);
  if (pair != NULL)
    return pair;

  switch (kind)
    {
    case PF_TEST_CERT_EXPIRED:
      not_before = now - 30 * DAY_SECONDS;
      not_after = now - DAY_SECONDS;
      break;
    case PF_TEST_CERT_NOT_YET_VALID:
      not_before = now + DAY_SECONDS;
      not_after = now + 30 * DAY_SECONDS;
      break;
    case PF_TEST_CERT_SELF_SIGNED:
      issuer = NULL;
      break;
    case PF_TEST_CERT_UNKNOWN_CA:
      issuer = rogue_ca;
      break;
    case PF_TEST_CERT_VALID:
    case PF_TEST_CERT_WRONG_HOST:
    default:
      break;
    }

  pair = make_cert (names[0], FALSE, names, not_before, not_after, issuer);
  g_hash_table_insert (servers, g_steal_pointer (&cache_key), pair);
  return pair;
}

const char *
pf_test_certs_ca_file (void)
{
  g_mutex_lock (&certs_lock);
  ensure_cas ();
  g_mutex_unlock (&certs_lock);
  return ca_file;
}

GTlsDatabase *
pf_test_certs_database (void)
{
  g_autoptr(GError) error = NULL;
  GTlsDatabase *database;

  database = g_tls_file_database_new (pf_test_certs_ca_file (), &error);
  g_assert_no_error (error);
  return database;
}

const char *
pf_test_certs_server_pem (PfTestCertKind      kind,
                          const char * const *names,
                          const char        **key_pem)
{
  PfTestCertPair *pair;

  g_mutex_lock (&certs_lock);
  pair = lookup_server (kind, names);
  g_mutex_unlock (&certs_lock);

  if (key_pem != NULL)
    *key_pem = pair->key_pem;
  return pair->crt_pem;
}

GTlsCertificate *
pf_test_certs_server (PfTestCertKind      kind,
                      const char * const *names)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *both = NULL;
  const char *key_pem = NULL;
  const char *crt_pem;
  GTlsCertificate *certificate;

  crt_pem = pf_test_certs_server_pem (kind, names, &key_pem);
  both = g_strconcat (crt_pem, key_pem, NULL);
  certificate = g_tls_certificate_new_from_pem (both, -1, &error);
  g_assert_no_error (error);
  return certificate;
}

char *
pf_test_certs_write_server (PfTestCertKind      kind,
                            const char * const *names,
                            const char         *dir,
                            char              **key_file)
{
  const char *key_pem = NULL;
  const char *crt_pem;
  g_autofree char *crt_path = NULL;
  g_autofree char *key_path = NULL;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (key_file != NULL, NULL);

  crt_pem = pf_test_certs_server_pem (kind, names, &key_pem);
  crt_path = g_build_filename (dir, "server-cert.pem", NULL);
  key_path = g_build_filename (dir, "server-key.pem", NULL);
  write_or_die (crt_path, crt_pem, 0644);
  write_or_die (key_path, key_pem, 0600);

  *key_file = g_steal_pointer (&key_path);
  return g_steal_pointer (&crt_path);
}
