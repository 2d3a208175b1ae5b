/* pf-provider-hints.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-provider-hints.h"

struct _PfProviderHints
{
  AdwBin        parent_instance;

  PfProvider   *provider;

  GtkLabel     *name_label;
  GtkLabel     *pop3_label;
  GtkListBox   *list;
  AdwActionRow *enable_row;
  AdwActionRow *app_password_row;
  GtkButton    *app_password_button;
  AdwActionRow *sign_in_row;
  AdwBin       *sign_in_slot;
  GtkLabel     *notes_label;
};

G_DEFINE_FINAL_TYPE (PfProviderHints, pf_provider_hints, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_BLOCKS_SETUP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
open_url (PfProviderHints *self,
          const char      *url)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (url != NULL)
    gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, url, GDK_CURRENT_TIME);
}

static void
on_enable_clicked (PfProviderHints *self)
{
  if (self->provider != NULL)
    open_url (self, pf_provider_get_enable_url (self->provider));
}

static void
on_app_password_clicked (PfProviderHints *self)
{
  if (self->provider != NULL)
    open_url (self, pf_provider_get_app_password_url (self->provider));
}

/* POP3 switched off until the user switches it on (GMX, WEB.DE,
 * Outlook.com, Gmail): where. */
static gboolean
show_enable (PfProviderHints *self,
             PfProvider      *provider)
{
  g_autofree char *subtitle = NULL;

  if (!pf_provider_get_pop3_off_by_default (provider) && !pf_provider_get_pop3_may_switch_off (provider))
    return FALSE;

  if (pf_provider_get_pop3_may_switch_off (provider))
    /* Translators: %s is a provider's name, "GMX" */
    subtitle = g_strdup_printf (_("%s keeps POP3 off until you switch it on in its settings, and may switch it off again when it goes unused."),
                                pf_provider_get_name (provider));
  else
    /* Translators: %s is a provider's name, "Outlook.com" */
    subtitle = g_strdup_printf (_("%s keeps POP3 off until you switch it on in its settings."),
                                pf_provider_get_name (provider));
  adw_action_row_set_subtitle (self->enable_row, subtitle);
  return pf_provider_get_enable_url (provider) != NULL;
}

/* Mail programs need an app password, not the account's password. */
static gboolean
show_app_password (PfProviderHints *self,
                   PfProvider      *provider)
{
  g_autofree char *subtitle = NULL;

  if ((pf_provider_get_auth (provider) & PF_PROVIDER_AUTH_APP_PASSWORD) == 0)
    return FALSE;

  /* Translators: %s is a provider's name, "Yahoo Mail" */
  subtitle = g_strdup_printf (_("%s wants an app password made for mail programs in the Password field, not the password you sign in with."),
                              pf_provider_get_name (provider));
  adw_action_row_set_subtitle (self->app_password_row, subtitle);
  gtk_widget_set_visible (GTK_WIDGET (self->app_password_button),
                          pf_provider_get_app_password_url (provider) != NULL);
  return TRUE;
}

/* The provider's own sign-in (OAuth2). This is the one place for it: a
 * "Sign in with …" widget for pf_provider_get_oauth2() goes into
 * sign_in_slot, and then the row saying a password will not do goes. */
static gboolean
show_sign_in (PfProviderHints *self,
              PfProvider      *provider)
{
  PfProviderAuth auth = pf_provider_get_auth (provider);
  g_autofree char *subtitle = NULL;

  if ((auth & PF_PROVIDER_AUTH_OAUTH2) == 0)
    return FALSE;

  gtk_widget_set_visible (GTK_WIDGET (self->sign_in_slot),
                          adw_bin_get_child (self->sign_in_slot) != NULL);
  /* Providers that also take an app password have said so above. */
  if ((auth & ~PF_PROVIDER_AUTH_OAUTH2) != 0)
    return FALSE;

  /* Translators: %s is a provider's name, "Microsoft 365" */
  subtitle = g_strdup_printf (_("%s accepts only its own sign-in for POP3; the account password is refused."),
                              pf_provider_get_name (provider));
  adw_action_row_set_subtitle (self->sign_in_row, subtitle);
  return TRUE;
}

void
pf_provider_hints_set_provider (PfProviderHints *self,
                                PfProvider      *provider)
{
  gboolean blocked_before;
  gboolean any_row = FALSE;
  gboolean shown;

  g_return_if_fail (PF_IS_PROVIDER_HINTS (self));

  if (provider == self->provider)
    return;

  blocked_before = pf_provider_hints_get_blocks_setup (self);
  g_clear_pointer (&self->provider, pf_provider_unref);
  if (provider != NULL)
    self->provider = pf_provider_ref (provider);

  gtk_widget_set_visible (GTK_WIDGET (self), provider != NULL);
  if (provider != NULL)
    {
      g_autofree char *pop3 = pf_provider_describe_pop3 (provider);
      g_autofree char *notes = g_strjoinv ("\n", (char **) pf_provider_get_notes (provider));
      gboolean no_pop3 = pf_provider_get_pop3 (provider) == PF_PROVIDER_POP3_NO;

      gtk_label_set_label (self->name_label, pf_provider_get_name (provider));
      gtk_label_set_label (self->pop3_label, pop3 ? pop3 : "");
      gtk_widget_set_visible (GTK_WIDGET (self->pop3_label), pop3 != NULL);
      if (no_pop3)
        gtk_widget_add_css_class (GTK_WIDGET (self->pop3_label), "error");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self->pop3_label), "error");

      /* Without POP3 nothing else matters: how to set it up is moot. */
      shown = !no_pop3 && show_enable (self, provider);
      gtk_widget_set_visible (GTK_WIDGET (self->enable_row), shown);
      any_row |= shown;
      shown = !no_pop3 && show_app_password (self, provider);
      gtk_widget_set_visible (GTK_WIDGET (self->app_password_row), shown);
      any_row |= shown;
      shown = !no_pop3 && show_sign_in (self, provider);
      gtk_widget_set_visible (GTK_WIDGET (self->sign_in_row), shown);
      any_row |= shown;
      gtk_widget_set_visible (GTK_WIDGET (self->list), any_row);

      gtk_label_set_label (self->notes_label, notes);
      gtk_widget_set_visible (GTK_WIDGET (self->notes_label), *notes != '\0');
    }

  if (blocked_before != pf_provider_hints_get_blocks_setup (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BLOCKS_SETUP]);
}

PfProvider *
pf_provider_hints_get_provider (PfProviderHints *self)
{
  g_return_val_if_fail (PF_IS_PROVIDER_HINTS (self), NULL);
  return self->provider;
}

gboolean
pf_provider_hints_get_blocks_setup (PfProviderHints *self)
{
  g_return_val_if_fail (PF_IS_PROVIDER_HINTS (self), FALSE);
  return self->provider != NULL && pf_provider_get_pop3 (self->provider) == PF_PROVIDER_POP3_NO;
}

GtkWidget *
pf_provider_hints_new (void)
{
  return g_object_new (PF_TYPE_PROVIDER_HINTS, NULL);
}

static void
pf_provider_hints_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PfProviderHints *self = PF_PROVIDER_HINTS (object);

  switch (prop_id)
    {
    case PROP_BLOCKS_SETUP:
      g_value_set_boolean (value, pf_provider_hints_get_blocks_setup (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_provider_hints_dispose (GObject *object)
{
  PfProviderHints *self = PF_PROVIDER_HINTS (object);

  g_clear_pointer (&self->provider, pf_provider_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), PF_TYPE_PROVIDER_HINTS);

  G_OBJECT_CLASS (pf_provider_hints_parent_class)->dispose (object);
}

static void
pf_provider_hints_class_init (PfProviderHintsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = pf_provider_hints_get_property;
  object_class->dispose = pf_provider_hints_dispose;

  properties[PROP_BLOCKS_SETUP] =
    g_param_spec_boolean ("blocks-setup", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-provider-hints.ui");
  gtk_widget_class_bind_template_child (widget_class, PfProviderHints, name_label);
  gtk_widget_class_bind_template_child (widget_class, PfProviderHints, pop3_label);
  gtk_widget_class_bind_template_child (widget_class, PfProviderHints, list);
  gtk_widget_class_bind_template_child (widget_class, PfProviderHints, enable_row);
  gtk_widget_class_bind_template_child (widget_class, PfProviderHints, app_password_row);
  gtk_widget_class_bind_template_child (widget_class, PfProviderHints, app_password_button);
  gtk_widget_class_bind_template_child (widget_class, PfProviderHints, sign_in_row);
  gtk_widget_class_bind_template_child (widget_class, PfProviderHints, sign_in_slot);
  gtk_widget_class_bind_template_child (widget_class, PfProviderHints, notes_label);
  gtk_widget_class_bind_template_callback (widget_class, on_enable_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_app_password_clicked);
}

static void
pf_provider_hints_init (PfProviderHints *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}
