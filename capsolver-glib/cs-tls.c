/* cs-tls.c: a certificate database that forwards to another
 *
 * glib-networking 2.74 (GnuTLS) gives every new TLS connection whose
 * database is one of its own a new GnuTLS trust list, built from that
 * database's certificates: for the system's, the whole CA bundle parsed
 * again, most of a new connection's CPU. A connection whose database is
 * of another type gets plain credentials, and asks the database to verify
 * the peer's chain instead. CsTlsDatabase is of another type: it hands
 * every question to the database it wraps, built once, so the trust stays
 * that database's and the per-connection parsing goes.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-private.h"
#include "cs-client.h"

struct _CsTlsDatabase
{
  GTlsDatabase  parent_instance;
  GTlsDatabase *target;
};

G_DEFINE_FINAL_TYPE (CsTlsDatabase, _cs_tls_database, G_TYPE_TLS_DATABASE)

static GTlsCertificateFlags
tls_database_verify_chain (GTlsDatabase             *database,
                           GTlsCertificate          *chain,
                           const char               *purpose,
                           GSocketConnectable       *identity,
                           GTlsInteraction          *interaction,
                           GTlsDatabaseVerifyFlags   flags,
                           GCancellable             *cancellable,
                           GError                  **error)
{
  CsTlsDatabase *self = CS_TLS_DATABASE (database);

  return g_tls_database_verify_chain (self->target, chain, purpose, identity, interaction, flags,
                                      cancellable, error);
}

static char *
tls_database_create_certificate_handle (GTlsDatabase    *database,
                                        GTlsCertificate *certificate)
{
  CsTlsDatabase *self = CS_TLS_DATABASE (database);

  return g_tls_database_create_certificate_handle (self->target, certificate);
}

static GTlsCertificate *
tls_database_lookup_certificate_for_handle (GTlsDatabase             *database,
                                            const char               *handle,
                                            GTlsInteraction          *interaction,
                                            GTlsDatabaseLookupFlags   flags,
                                            GCancellable             *cancellable,
                                            GError                  **error)
{
  CsTlsDatabase *self = CS_TLS_DATABASE (database);

  return g_tls_database_lookup_certificate_for_handle (self->target, handle, interaction, flags,
                                                       cancellable, error);
}

static GTlsCertificate *
tls_database_lookup_certificate_issuer (GTlsDatabase             *database,
                                        GTlsCertificate          *certificate,
                                        GTlsInteraction          *interaction,
                                        GTlsDatabaseLookupFlags   flags,
                                        GCancellable             *cancellable,
                                        GError                  **error)
{
  CsTlsDatabase *self = CS_TLS_DATABASE (database);

  return g_tls_database_lookup_certificate_issuer (self->target, certificate, interaction, flags,
                                                   cancellable, error);
}

static GList *
tls_database_lookup_certificates_issued_by (GTlsDatabase             *database,
                                            GByteArray               *issuer_raw_dn,
                                            GTlsInteraction          *interaction,
                                            GTlsDatabaseLookupFlags   flags,
                                            GCancellable             *cancellable,
                                            GError                  **error)
{
  CsTlsDatabase *self = CS_TLS_DATABASE (database);

  return g_tls_database_lookup_certificates_issued_by (self->target, issuer_raw_dn, interaction,
                                                       flags, cancellable, error);
}

static void
tls_database_finalize (GObject *object)
{
  CsTlsDatabase *self = CS_TLS_DATABASE (object);

  g_clear_object (&self->target);
  G_OBJECT_CLASS (_cs_tls_database_parent_class)->finalize (object);
}

/* The asynchronous forms are GTlsDatabase's own: they run the ones above
 * in a thread, which is how glib-networking's database answers them too. */
static void
_cs_tls_database_class_init (CsTlsDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GTlsDatabaseClass *database_class = G_TLS_DATABASE_CLASS (klass);

  object_class->finalize = tls_database_finalize;
  database_class->verify_chain = tls_database_verify_chain;
  database_class->create_certificate_handle = tls_database_create_certificate_handle;
  database_class->lookup_certificate_for_handle = tls_database_lookup_certificate_for_handle;
  database_class->lookup_certificate_issuer = tls_database_lookup_certificate_issuer;
  database_class->lookup_certificates_issued_by = tls_database_lookup_certificates_issued_by;
}

static void
_cs_tls_database_init (CsTlsDatabase *self)
{
}

/* Returns a database that answers as @target does. */
GTlsDatabase *
_cs_tls_database_new (GTlsDatabase *target)
{
  CsTlsDatabase *self;

  g_return_val_if_fail (G_IS_TLS_DATABASE (target), NULL);

  self = g_object_new (CS_TYPE_TLS_DATABASE, NULL);
  self->target = g_object_ref (target);
  return G_TLS_DATABASE (self);
}

/* The database @database forwards to, or @database itself. */
GTlsDatabase *
_cs_tls_database_get_target (GTlsDatabase *database)
{
  return CS_IS_TLS_DATABASE (database) ? CS_TLS_DATABASE (database)->target : database;
}

/**
 * cs_client_install_default_tls_database:
 *
 * Makes every new TLS connection of the process cheaper for the client, at
 * the price of one check, by replacing the process's default [class@Gio.TlsDatabase]
 * with one that forwards every question to the default of before: the
 * system's authorities, or the database the application installed.
 *
 * glib-networking (2.74, GnuTLS) builds a new GnuTLS trust list from the
 * default database for every new TLS connection, the system's CA bundle
 * parsed again, and libsoup 3.2 creates each connection with the default
 * database before it sets the session's, so neither a session's database
 * nor [property@Client:tls-database] can avoid it. It builds none for a
 * database that is not one of its own. As a `createTask` always opens a
 * new connection, this is most of its CPU: with this call, a `createTask`
 * costs the client 6 to 7 times less CPU on loopback (see
 * `docs/connections.md`).
 *
 * The same authorities decide, with the same chain and host name checks:
 * a certificate they did not sign is refused with
 * %G_TLS_ERROR_BAD_CERTIFICATE as before. What such a connection no longer
 * checks is an OCSP response the server staples to its handshake: a
 * certificate it says was revoked is accepted. A connection given a
 * database of glib-networking's own, such as a [iface@Gio.TlsFileDatabase] set as
 * [property@Client:tls-database], keeps that check, and its cost.
 *
 * The library never calls this itself: it changes every TLS connection of
 * the process that uses the default database, the application's own
 * included. Call it once, before creating clients: a client whose
 * [property@Client:tls-database] was set back to %NULL keeps the default
 * of that time. Calling it again does nothing;
 * `g_tls_backend_set_default_database (g_tls_backend_get_default (), NULL)`
 * undoes it. Without a TLS backend, it does nothing.
 *
 * Since: 1.0
 */
void
cs_client_install_default_tls_database (void)
{
  static GMutex lock;
  GTlsBackend *backend = g_tls_backend_get_default ();
  g_autoptr(GTlsDatabase) current = NULL;
  g_autoptr(GTlsDatabase) forwarding = NULL;

  g_mutex_lock (&lock);
  current = g_tls_backend_get_default_database (backend);
  if (current != NULL && !CS_IS_TLS_DATABASE (current))
    {
      forwarding = _cs_tls_database_new (current);
      g_tls_backend_set_default_database (backend, forwarding);
    }
  g_mutex_unlock (&lock);
}
