/* pf-tls-database.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pf-tls-database.h"

struct _PfTlsDatabase
{
  GTlsDatabase  parent_instance;
  GTlsDatabase *primary;
  GTlsDatabase *extra;
};

G_DEFINE_FINAL_TYPE (PfTlsDatabase, pf_tls_database, G_TYPE_TLS_DATABASE)

static GTlsCertificateFlags
pf_tls_database_verify_chain (GTlsDatabase             *database,
                              GTlsCertificate          *chain,
                              const char               *purpose,
                              GSocketConnectable       *identity,
                              GTlsInteraction          *interaction,
                              GTlsDatabaseVerifyFlags   flags,
                              GCancellable             *cancellable,
                              GError                  **error)
{
  PfTlsDatabase *self = PF_TLS_DATABASE (database);
  GTlsCertificateFlags primary_result;
  GTlsCertificateFlags extra_result;
  g_autoptr(GError) local_error = NULL;

  primary_result = g_tls_database_verify_chain (self->primary, chain, purpose, identity,
                                                interaction, flags, cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return G_TLS_CERTIFICATE_GENERIC_ERROR;
    }
  if (primary_result == 0 || self->extra == NULL)
    return primary_result;

  extra_result = g_tls_database_verify_chain (self->extra, chain, purpose, identity,
                                              interaction, flags, cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return G_TLS_CERTIFICATE_GENERIC_ERROR;
    }
  if (extra_result == 0)
    return 0;
  if ((extra_result & G_TLS_CERTIFICATE_UNKNOWN_CA) == 0)
    return extra_result;
  return primary_result;
}

static GTlsCertificate *
pf_tls_database_lookup_certificate_issuer (GTlsDatabase             *database,
                                           GTlsCertificate          *certificate,
                                           GTlsInteraction          *interaction,
                                           GTlsDatabaseLookupFlags   flags,
                                           GCancellable             *cancellable,
                                           GError                  **error)
{
  PfTlsDatabase *self = PF_TLS_DATABASE (database);
  GTlsCertificate *issuer;

  issuer = g_tls_database_lookup_certificate_issuer (self->primary, certificate, interaction,
                                                     flags, cancellable, error);
  if (issuer != NULL || self->extra == NULL || (error != NULL && *error != NULL))
    return issuer;
  return g_tls_database_lookup_certificate_issuer (self->extra, certificate, interaction,
                                                   flags, cancellable, error);
}

static GList *
pf_tls_database_lookup_certificates_issued_by (GTlsDatabase             *database,
                                               GByteArray               *issuer_raw_dn,
                                               GTlsInteraction          *interaction,
                                               GTlsDatabaseLookupFlags   flags,
                                               GCancellable             *cancellable,
                                               GError                  **error)
{
  PfTlsDatabase *self = PF_TLS_DATABASE (database);
  GList *found;

  found = g_tls_database_lookup_certificates_issued_by (self->primary, issuer_raw_dn, interaction,
                                                        flags, cancellable, error);
  if (self->extra != NULL && (error == NULL || *error == NULL))
    found = g_list_concat (found,
                           g_tls_database_lookup_certificates_issued_by (self->extra, issuer_raw_dn,
                                                                         interaction, flags,
                                                                         cancellable, error));
  return found;
}

static void
pf_tls_database_finalize (GObject *object)
{
  PfTlsDatabase *self = PF_TLS_DATABASE (object);

  g_clear_object (&self->primary);
  g_clear_object (&self->extra);
  G_OBJECT_CLASS (pf_tls_database_parent_class)->finalize (object);
}

static void
pf_tls_database_class_init (PfTlsDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GTlsDatabaseClass *database_class = G_TLS_DATABASE_CLASS (klass);

  object_class->finalize = pf_tls_database_finalize;
  database_class->verify_chain = pf_tls_database_verify_chain;
  database_class->lookup_certificate_issuer = pf_tls_database_lookup_certificate_issuer;
  database_class->lookup_certificates_issued_by = pf_tls_database_lookup_certificates_issued_by;
}

static void
pf_tls_database_init (PfTlsDatabase *self)
{
}

GTlsDatabase *
pf_tls_database_new (GTlsDatabase *primary,
                     GTlsDatabase *extra)
{
  PfTlsDatabase *self;

  g_return_val_if_fail (primary == NULL || G_IS_TLS_DATABASE (primary), NULL);
  g_return_val_if_fail (extra == NULL || G_IS_TLS_DATABASE (extra), NULL);

  self = g_object_new (PF_TYPE_TLS_DATABASE, NULL);
  if (primary != NULL)
    self->primary = g_object_ref (primary);
  else
    self->primary = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  self->extra = extra != NULL ? g_object_ref (extra) : NULL;
  return G_TLS_DATABASE (self);
}

GTlsDatabase *
pf_tls_database_new_with_ca_file (const char  *ca_file,
                                  GError     **error)
{
  g_autoptr(GTlsDatabase) extra = NULL;

  g_return_val_if_fail (ca_file != NULL, NULL);

  extra = g_tls_file_database_new (ca_file, error);
  if (extra == NULL)
    return NULL;
  return pf_tls_database_new (NULL, extra);
}
