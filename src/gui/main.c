/* main.c — popfetch, the GTK app
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PfApplication) app = NULL;
  const char *localedir = g_getenv ("POPFETCH_LOCALEDIR");

  /* POPFETCH_LOCALEDIR lets an uninstalled build find its catalogues. */
  bindtextdomain (GETTEXT_PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = pf_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
