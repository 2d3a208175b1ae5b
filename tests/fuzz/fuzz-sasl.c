/* fuzz-sasl.c — SASL server messages and SASLprep
 *
 * Input: one byte choosing the mechanism, then the server's challenges
 * separated by LF. The SCRAM client nonce is fixed so the fuzzer can build
 * a server-first message that continues it.
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>

#include "pf-error.h"
#include "pf-sasl.h"
#include "pf-sasl-private.h"

#include "fuzz-common.h"

#define FUZZ_NONCE "rOprNGfwEbeRWgbNEkqO"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const PfAuthMechanism mechanisms[] = {
  PF_AUTH_SCRAM_SHA_256,
  PF_AUTH_SCRAM_SHA_1,
  PF_AUTH_SCRAM_SHA_256_PLUS,
  PF_AUTH_SCRAM_SHA_1_PLUS,
  PF_AUTH_CRAM_MD5,
  PF_AUTH_LOGIN,
  PF_AUTH_PLAIN,
  PF_AUTH_XOAUTH2,
  PF_AUTH_OAUTHBEARER,
};

static void
check_saslprep (const guint8 *data,
                gsize         size)
{
  g_autofree char *input = fuzz_strdup (data, size);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = pf_saslprep (input, &error);

  if (out != NULL)
    {
      g_autofree char *again = pf_saslprep (out, NULL);

      FUZZ_CHECK (error == NULL);
      FUZZ_CHECK (g_utf8_validate (out, -1, NULL));
      /* SASLprep of a SASLprep output is itself. */
      FUZZ_CHECK (again != NULL && strcmp (again, out) == 0);
    }
  else
    FUZZ_CHECK (error != NULL && error->code == PF_ERROR_INVALID_INPUT);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const guint8 cb_data[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  g_autoptr(GBytes) cb = g_bytes_new_static (cb_data, sizeof cb_data);
  g_autoptr(PfSasl) sasl = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) first = NULL;
  PfAuthMechanism mechanism;
  gsize start;

  if (size == 0)
    return 0;

  check_saslprep (data + 1, size - 1);

  mechanism = mechanisms[data[0] % G_N_ELEMENTS (mechanisms)];
  sasl = pf_sasl_new (mechanism, "user", "pencil", cb, &error);
  FUZZ_CHECK (sasl != NULL && error == NULL);
  pf_sasl_set_client_nonce (sasl, FUZZ_NONCE);
  pf_sasl_set_max_iterations (sasl, 4096);

  FUZZ_CHECK (pf_sasl_step (sasl, NULL, 0, &first, &error));

  start = 1;
  while (start <= size)
    {
      const guint8 *end = memchr (data + start, '\n', size - start);
      gsize len = end != NULL ? (gsize) (end - (data + start)) : size - start;
      g_autoptr(GBytes) response = NULL;
      g_autoptr(GError) step_error = NULL;

      if (pf_sasl_step (sasl, data + start, len, &response, &step_error))
        FUZZ_CHECK (response != NULL && step_error == NULL);
      else
        {
          FUZZ_CHECK (response == NULL && step_error != NULL);
          FUZZ_CHECK (step_error->domain == PF_ERROR);
          /* A SCRAM server error other than a wrong proof or an unknown
           * user is the method's failure (RFC 5802 section 7). */
          FUZZ_CHECK (step_error->code == PF_ERROR_PROTOCOL || step_error->code == PF_ERROR_AUTH_REJECTED ||
                      step_error->code == PF_ERROR_AUTH_MECHANISM_FAILED);
          FUZZ_CHECK (g_utf8_validate (step_error->message, -1, NULL));
          FUZZ_CHECK (!pf_sasl_is_complete (sasl));
          break;
        }
      if (end == NULL)
        break;
      start += len + 1;
    }

  return 0;
}
