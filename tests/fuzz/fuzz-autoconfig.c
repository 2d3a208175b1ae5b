/* fuzz-autoconfig.c — config-v1.1.xml documents, placeholders, addresses
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>

#include "pf-autoconfig.h"

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = fuzz_strdup (data, size);
  g_autofree char *display_name = NULL;
  g_autofree char *expanded = NULL;
  g_autofree char *local = NULL;
  g_autofree char *domain = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) servers = NULL;

  /* Any bytes: a list of sane entries, or an error, never both. */
  servers = pf_autoconfig_parse ((const char *) data, size, "jo@example.org", &display_name, &error);
  FUZZ_CHECK ((servers == NULL) != (error == NULL));
  if (servers != NULL)
    for (guint i = 0; i < servers->len; i++)
      {
        PfAutoconfigServer *server = servers->pdata[i];

        FUZZ_CHECK (pf_hostname_is_plausible (server->hostname));
        FUZZ_CHECK (server->port > 0);
        FUZZ_CHECK (server->security == PF_SECURITY_TLS || server->security == PF_SECURITY_STARTTLS ||
                    server->security == PF_SECURITY_NONE);
      }
  else
    FUZZ_CHECK (display_name == NULL);

  expanded = pf_autoconfig_expand (text, "jo@example.org");
  FUZZ_CHECK (expanded != NULL);

  if (pf_address_split (text, &local, &domain))
    {
      FUZZ_CHECK (*local != '\0');
      FUZZ_CHECK (pf_hostname_is_plausible (domain));
    }
  return 0;
}
