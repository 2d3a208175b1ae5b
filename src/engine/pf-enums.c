/* pf-enums.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pf-enums.h"

const char *
pf_enum_to_nick (GType type,
                 int   value)
{
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *entry;

  g_return_val_if_fail (G_TYPE_IS_ENUM (type), NULL);

  klass = g_type_class_ref (type);
  entry = g_enum_get_value (klass, value);
  /* Nicks are static strings of the type, which lives as long as the
   * program: safe to return after the class reference is dropped. */
  return entry != NULL ? entry->value_nick : NULL;
}

gboolean
pf_enum_from_nick (GType       type,
                   const char *nick,
                   int        *value)
{
  g_autoptr(GEnumClass) klass = NULL;

  g_return_val_if_fail (G_TYPE_IS_ENUM (type), FALSE);

  if (nick == NULL)
    return FALSE;

  klass = g_type_class_ref (type);
  for (guint i = 0; i < klass->n_values; i++)
    if (g_ascii_strcasecmp (klass->values[i].value_nick, nick) == 0)
      {
        if (value != NULL)
          *value = klass->values[i].value;
        return TRUE;
      }
  return FALSE;
}
