/* pf-probe-group.c — probes that reach one server under several names
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-probe-group.h"

void
pf_probe_group_free (PfProbeGroup *group)
{
  if (group == NULL)
    return;
  g_object_unref (group->probe);
  g_ptr_array_unref (group->aliases);
  g_free (group);
}

char *
pf_probe_group_dup_alias_names (const PfProbeGroup *group)
{
  GString *names;

  g_return_val_if_fail (group != NULL, NULL);

  if (group->aliases->len == 0)
    return NULL;
  names = g_string_new (NULL);
  for (guint i = 0; i < group->aliases->len; i++)
    {
      if (i > 0)
        g_string_append (names, ", ");
      g_string_append (names, pf_probe_get_host (group->aliases->pdata[i]));
    }
  return g_string_free (names, FALSE);
}

gboolean
pf_probe_same_server (PfProbe *a,
                      PfProbe *b)
{
  const PfCertInfo *cert_a, *cert_b;
  const char * const *addresses_a, * const *addresses_b;

  g_return_val_if_fail (PF_IS_PROBE (a) && PF_IS_PROBE (b), FALSE);

  if (pf_probe_get_state (a) != PF_PROBE_STATE_DONE || pf_probe_get_state (b) != PF_PROBE_STATE_DONE)
    return FALSE;
  if (pf_probe_get_security (a) != pf_probe_get_security (b) ||
      pf_probe_get_security (a) == PF_SECURITY_NONE ||
      pf_probe_get_connect_port (a) != pf_probe_get_connect_port (b) ||
      pf_probe_get_connect_port (a) == 0)
    return FALSE;

  cert_a = pf_probe_get_cert_info (a);
  cert_b = pf_probe_get_cert_info (b);
  if (cert_a == NULL || cert_b == NULL || cert_a->sha256 == NULL || cert_b->sha256 == NULL ||
      g_ascii_strcasecmp (cert_a->sha256, cert_b->sha256) != 0)
    return FALSE;

  /* Both lists are sorted by the probe. */
  addresses_a = pf_probe_get_addresses (a);
  addresses_b = pf_probe_get_addresses (b);
  if (addresses_a == NULL || addresses_b == NULL || addresses_a[0] == NULL)
    return FALSE;
  return g_strv_equal (addresses_a, addresses_b);
}

GPtrArray *
pf_probe_groups_new (GPtrArray *probes)
{
  GPtrArray *groups;

  g_return_val_if_fail (probes != NULL, NULL);

  groups = g_ptr_array_new_with_free_func ((GDestroyNotify) pf_probe_group_free);
  for (guint i = 0; i < probes->len; i++)
    {
      PfProbe *probe = probes->pdata[i];
      PfProbeGroup *group = NULL;

      for (guint j = 0; j < groups->len && group == NULL; j++)
        {
          PfProbeGroup *candidate = groups->pdata[j];

          if (pf_probe_same_server (candidate->probe, probe) &&
              g_strcmp0 (pf_probe_get_host (candidate->probe), pf_probe_get_host (probe)) != 0)
            group = candidate;
        }
      if (group != NULL)
        {
          g_ptr_array_add (group->aliases, g_object_ref (probe));
          continue;
        }
      group = g_new0 (PfProbeGroup, 1);
      group->probe = g_object_ref (probe);
      group->aliases = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (groups, group);
    }
  return groups;
}
