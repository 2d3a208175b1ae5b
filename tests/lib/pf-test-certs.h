/* pf-test-certs.h — a test PKI made with GnuTLS at test time
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Every certificate is made once per process (ECDSA P-256, SHA-256) and kept
 * as PEM in a private temporary directory that is removed at exit. */
typedef enum
{
  PF_TEST_CERT_VALID,          /* signed by the test CA, valid now */
  PF_TEST_CERT_EXPIRED,        /* signed by the test CA, expired yesterday */
  PF_TEST_CERT_NOT_YET_VALID,  /* signed by the test CA, valid from tomorrow */
  PF_TEST_CERT_WRONG_HOST,     /* signed by the test CA, names only "wrong.example" */
  PF_TEST_CERT_SELF_SIGNED,    /* signed by its own key */
  PF_TEST_CERT_UNKNOWN_CA,     /* signed by a second CA nobody trusts */
} PfTestCertKind;

/* Path of the PEM file of the test CA. Owned by the fixture. */
const char      *pf_test_certs_ca_file      (void);

/* A database that trusts exactly the test CA. (transfer full) */
GTlsDatabase    *pf_test_certs_database     (void);

/* A server certificate with its private key. @names lists the subject
 * alternative names (host names or IP literals); NULL means "localhost",
 * 127.0.0.1 and ::1. WRONG_HOST ignores @names and uses "wrong.example".
 * (transfer full) */
GTlsCertificate *pf_test_certs_server       (PfTestCertKind      kind,
                                             const char * const *names);

/* The same certificate written into @dir as PEM files (e.g. for Dovecot):
 * returns the certificate path; the path of the PKCS#8 key file goes to
 * *@key_file. Both are newly allocated. */
char            *pf_test_certs_write_server (PfTestCertKind      kind,
                                             const char * const *names,
                                             const char         *dir,
                                             char              **key_file);

/* The certificate and key as PEM text, for tests that need the bytes
 * (e.g. to pin the DER fingerprint). Owned by the fixture. */
const char      *pf_test_certs_server_pem   (PfTestCertKind      kind,
                                             const char * const *names,
                                             const char        **key_pem);

G_END_DECLS
