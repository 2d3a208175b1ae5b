/* pf-probe-row.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-probe-row.h"

struct _PfProbeRow
{
  AdwActionRow    parent_instance;

  PfProbe        *probe;
  char           *aliases;
  PfProvider     *provider;

  GtkCheckButton *check;
  GtkLabel       *badge;
};

G_DEFINE_FINAL_TYPE (PfProbeRow, pf_probe_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_PROBE,
  PROP_ACTIVE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
security_name (PfSecurity security)
{
  switch (security)
    {
    case PF_SECURITY_TLS:
      return _("TLS");
    case PF_SECURITY_STARTTLS:
      return _("STARTTLS");
    case PF_SECURITY_NONE:
    default:
      return _("no encryption");
    }
}

char *
pf_probe_row_format_title (PfProbe *probe)
{
  g_return_val_if_fail (PF_IS_PROBE (probe), NULL);

  /* Translators: server name, port, encryption: "pop.example.com, port 995, TLS" */
  return g_strdup_printf (_("%s, port %u, %s"), pf_probe_get_host (probe),
                          pf_probe_get_port (probe), security_name (pf_probe_get_security (probe)));
}

const char *
pf_probe_row_describe_verdict (PfProbe     *probe,
                               const char **css_class)
{
  g_return_val_if_fail (PF_IS_PROBE (probe), NULL);
  g_return_val_if_fail (css_class != NULL, NULL);

  switch (pf_probe_get_verdict (probe))
    {
    case PF_PROBE_VERDICT_SECURE:
      *css_class = "success";
      return _("Encrypted, certificate valid");
    case PF_PROBE_VERDICT_PINNED:
      *css_class = "success";
      return _("Encrypted, certificate trusted by you");
    case PF_PROBE_VERDICT_CERT_INVALID:
      *css_class = "warning";
      return _("Encrypted, but the certificate is not trusted");
    case PF_PROBE_VERDICT_PLAINTEXT:
      *css_class = "error";
      return _("Not encrypted: the password would be readable");
    case PF_PROBE_VERDICT_STLS_MISSING:
      *css_class = "error";
      return _("Encryption refused by the server");
    case PF_PROBE_VERDICT_STLS_INJECTION:
      *css_class = "error";
      return _("Attack detected: data injected during STARTTLS");
    case PF_PROBE_VERDICT_TLS_OUTDATED:
      *css_class = "error";
      return _("Outdated, insecure encryption (older than TLS 1.2)");
    case PF_PROBE_VERDICT_FAILED:
      *css_class = "dim-label";
      return _("Not reachable");
    case PF_PROBE_VERDICT_PENDING:
    default:
      *css_class = "dim-label";
      return _("Checking…");
    }
}

GtkWidget *
pf_probe_row_new (PfProbe *probe)
{
  g_return_val_if_fail (PF_IS_PROBE (probe), NULL);

  return g_object_new (PF_TYPE_PROBE_ROW, "probe", probe, NULL);
}

PfProbe *
pf_probe_row_get_probe (PfProbeRow *self)
{
  g_return_val_if_fail (PF_IS_PROBE_ROW (self), NULL);
  return self->probe;
}

gboolean
pf_probe_row_get_active (PfProbeRow *self)
{
  g_return_val_if_fail (PF_IS_PROBE_ROW (self), FALSE);
  return gtk_check_button_get_active (self->check);
}

void
pf_probe_row_set_active (PfProbeRow *self,
                         gboolean    active)
{
  g_return_if_fail (PF_IS_PROBE_ROW (self));

  /* Notified from the check's own notify::active. */
  gtk_check_button_set_active (self->check, active);
}

void
pf_probe_row_set_group (PfProbeRow *self,
                        PfProbeRow *group)
{
  g_return_if_fail (PF_IS_PROBE_ROW (self));
  g_return_if_fail (!group || PF_IS_PROBE_ROW (group));

  gtk_check_button_set_group (self->check, group ? group->check : NULL);
}

const char *
pf_probe_row_get_verdict_text (PfProbeRow *self)
{
  g_return_val_if_fail (PF_IS_PROBE_ROW (self), NULL);
  return gtk_label_get_label (self->badge);
}

/* One sentence a line: the login it would use, the provider's word that
 * this is its server, and the other names of the same server. */
static void
update_subtitle (PfProbeRow *self)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  PfAuthMechanism mechanism = pf_probe_get_best_mechanism (self->probe);
  g_autofree char *subtitle = NULL;

  if (mechanism != PF_AUTH_AUTO)
    /* Translators: %s is an authentication mechanism such as SCRAM-SHA-256 */
    g_ptr_array_add (lines, g_strdup_printf (_("Login with %s"), pf_auth_mechanism_to_string (mechanism)));
  if (self->provider != NULL && (pf_probe_get_sources (self->probe) & PF_PROBE_SOURCE_PROVIDER))
    /* Translators: %s is a provider's name, "Gmail" */
    g_ptr_array_add (lines, g_strdup_printf (_("The POP3 server %s names for its mail"),
                                             pf_provider_get_name (self->provider)));
  if (self->aliases != NULL)
    /* Translators: %s lists host names, "pop3.example.com, mail.example.com" */
    g_ptr_array_add (lines, g_strdup_printf (_("Also reachable as %s"), self->aliases));
  g_ptr_array_add (lines, NULL);

  subtitle = g_strjoinv ("\n", (char **) lines->pdata);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
}

void
pf_probe_row_set_provider (PfProbeRow *self,
                           PfProvider *provider)
{
  g_return_if_fail (PF_IS_PROBE_ROW (self));

  g_clear_pointer (&self->provider, pf_provider_unref);
  if (provider != NULL)
    self->provider = pf_provider_ref (provider);
  update_subtitle (self);
}

void
pf_probe_row_set_aliases (PfProbeRow *self,
                          const char *names)
{
  g_return_if_fail (PF_IS_PROBE_ROW (self));

  g_free (self->aliases);
  self->aliases = g_strdup (names);
  update_subtitle (self);
}

static void
on_check_active (PfProbeRow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

static void
pf_probe_row_constructed (GObject *object)
{
  PfProbeRow *self = PF_PROBE_ROW (object);
  g_autofree char *title = NULL;
  const char *css_class = NULL;

  G_OBJECT_CLASS (pf_probe_row_parent_class)->constructed (object);

  g_assert (self->probe != NULL);

  title = pf_probe_row_format_title (self->probe);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
  update_subtitle (self);

  gtk_label_set_label (self->badge, pf_probe_row_describe_verdict (self->probe, &css_class));
  gtk_widget_add_css_class (GTK_WIDGET (self->badge), css_class);
}

static void
pf_probe_row_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PfProbeRow *self = PF_PROBE_ROW (object);

  switch (prop_id)
    {
    case PROP_PROBE:
      g_value_set_object (value, self->probe);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, pf_probe_row_get_active (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_probe_row_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  PfProbeRow *self = PF_PROBE_ROW (object);

  switch (prop_id)
    {
    case PROP_PROBE:
      self->probe = g_value_dup_object (value);
      break;
    case PROP_ACTIVE:
      pf_probe_row_set_active (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_probe_row_dispose (GObject *object)
{
  PfProbeRow *self = PF_PROBE_ROW (object);

  g_clear_object (&self->probe);
  g_clear_pointer (&self->aliases, g_free);
  g_clear_pointer (&self->provider, pf_provider_unref);

  G_OBJECT_CLASS (pf_probe_row_parent_class)->dispose (object);
}

static void
pf_probe_row_class_init (PfProbeRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = pf_probe_row_constructed;
  object_class->get_property = pf_probe_row_get_property;
  object_class->set_property = pf_probe_row_set_property;
  object_class->dispose = pf_probe_row_dispose;

  properties[PROP_PROBE] =
    g_param_spec_object ("probe", NULL, NULL, PF_TYPE_PROBE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-probe-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PfProbeRow, check);
  gtk_widget_class_bind_template_child (widget_class, PfProbeRow, badge);
  gtk_widget_class_bind_template_callback (widget_class, on_check_active);
}

static void
pf_probe_row_init (PfProbeRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
