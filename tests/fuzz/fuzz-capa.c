/* fuzz-capa.c — CAPA answers, line by line
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>

#include "pf-pop3-parse.h"
#include "pf-sasl.h"

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_caps (const PfCapabilities *caps)
{
  FUZZ_CHECK (caps->sasl != NULL);
  FUZZ_CHECK (g_strv_length (caps->sasl) <= 64);
  for (guint i = 0; caps->sasl[i] != NULL; i++)
    {
      gsize len = strlen (caps->sasl[i]);

      FUZZ_CHECK (len >= 1 && len <= 20);
      for (gsize j = 0; j < len; j++)
        FUZZ_CHECK (g_ascii_isupper (caps->sasl[i][j]) || g_ascii_isdigit (caps->sasl[i][j]) ||
                    caps->sasl[i][j] == '-' || caps->sasl[i][j] == '_');
      FUZZ_CHECK (pf_capabilities_has_sasl (caps, caps->sasl[i]));
      for (guint k = i + 1; caps->sasl[k] != NULL; k++)
        FUZZ_CHECK (strcmp (caps->sasl[i], caps->sasl[k]) != 0);
    }
  FUZZ_CHECK (caps->login_delay >= -1);
  FUZZ_CHECK (caps->expire >= -1);
  if (caps->implementation != NULL)
    {
      fuzz_check_sanitised (caps->implementation);
      FUZZ_CHECK (caps->implementation[0] != '\0');
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *whole = fuzz_strdup (data, size);
  g_auto(GStrv) lines = g_strsplit (whole, "\n", -1);
  g_autoptr(PfCapabilities) caps = pf_capabilities_new ();
  g_autoptr(PfCapabilities) copy = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      gsize len = strlen (lines[i]);

      if (len > 0 && lines[i][len - 1] == '\r')
        lines[i][len - 1] = '\0';
      if (!pf_capabilities_add_line (caps, lines[i], &error))
        FUZZ_CHECK (error != NULL && error->code == PF_ERROR_PROTOCOL &&
                    g_utf8_validate (error->message, -1, NULL));
      check_caps (caps);
    }

  copy = pf_capabilities_copy (caps);
  check_caps (copy);

  /* Whatever the server offers, the choice is one it offered (or USER/APOP
   * as told), and never plaintext without TLS or consent. */
  for (guint flags = 0; flags < 32; flags++)
    {
      gboolean apop = flags & 1, user = flags & 2, tls = flags & 4, cb = flags & 8, plain_ok = flags & 16;
      PfAuthMechanism m = pf_sasl_choose ((const char * const *) caps->sasl, apop, user, tls, cb, plain_ok);

      if (m == PF_AUTH_AUTO)
        continue;
      if (pf_auth_mechanism_is_plaintext (m))
        FUZZ_CHECK (tls || plain_ok);
      if (m == PF_AUTH_APOP)
        FUZZ_CHECK (apop);
      else if (m == PF_AUTH_USER)
        FUZZ_CHECK (user);
      else
        FUZZ_CHECK (pf_capabilities_has_sasl (caps, pf_auth_mechanism_to_string (m)));
      FUZZ_CHECK (m != PF_AUTH_XOAUTH2 && m != PF_AUTH_OAUTHBEARER);
      if (m == PF_AUTH_SCRAM_SHA_1_PLUS || m == PF_AUTH_SCRAM_SHA_256_PLUS)
        FUZZ_CHECK (cb);
    }

  return 0;
}
