/* pf-error.c — the error domain and the user-facing explanation of errors
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-sanitize.h"

G_DEFINE_QUARK (pf-error-quark, pf_error)

typedef enum
{
  DETAIL_NONE,     /* the message adds nothing a person needs */
  DETAIL_PLAIN,    /* "Details: …" */
  DETAIL_SERVER,   /* the message is the server's own text */
} DetailKind;

typedef struct
{
  const char *title;
  const char *what;
  const char *next;
  DetailKind  detail;
} Explanation;

/* Indexed by PfErrorCode. Strings are marked here and translated when used. */
static const Explanation pf_error_table[] = {
  [PF_ERROR_RESOLVE] = {
    N_("Server not found"),
    N_("The server name could not be found. It may be misspelt, or this computer cannot look up names right now."),
    N_("Check the server name for typing mistakes and check that you are connected to the internet."),
    DETAIL_PLAIN },
  [PF_ERROR_REFUSED] = {
    N_("Connection refused"),
    N_("The server refused the connection: nothing accepts mail connections on that port."),
    N_("Check the server name and the port. POP3 normally uses port 995 (encrypted) or 110. The server may also be down for maintenance."),
    DETAIL_PLAIN },
  [PF_ERROR_TIMEOUT] = {
    N_("The server did not answer"),
    N_("The server took too long to answer."),
    N_("Check your internet connection and try again. A firewall may be blocking the port."),
    DETAIL_PLAIN },
  [PF_ERROR_CLOSED] = {
    N_("Connection lost"),
    N_("The server closed the connection unexpectedly."),
    N_("Try again in a moment. If it keeps happening, the server may be overloaded or blocking this connection."),
    DETAIL_PLAIN },
  [PF_ERROR_TLS_HANDSHAKE] = {
    N_("Secure connection failed"),
    N_("An encrypted connection to the server could not be set up."),
    N_("Check the port and the encryption setting: port 995 is encrypted from the start, port 110 uses STARTTLS. The server may also only offer outdated encryption."),
    DETAIL_PLAIN },
  [PF_ERROR_CERT_UNTRUSTED] = {
    N_("Certificate not trusted"),
    N_("The server’s certificate was not issued by an authority this computer trusts. It may be self-signed, or someone may be intercepting the connection."),
    N_("Ask your mail provider whether the server uses a self-signed certificate. Trust it only after you have compared its fingerprint with the one the provider gives you."),
    DETAIL_PLAIN },
  [PF_ERROR_CERT_EXPIRED] = {
    N_("Certificate expired"),
    N_("The server’s certificate has expired or is not valid yet."),
    N_("Check that this computer’s date and time are correct. If they are, tell your mail provider that the certificate needs renewing."),
    DETAIL_PLAIN },
  [PF_ERROR_CERT_HOST] = {
    N_("Certificate for another server"),
    N_("The server’s certificate belongs to a different server name. The name you use may be outdated, or the connection is being intercepted."),
    N_("Use exactly the server name your mail provider recommends."),
    DETAIL_PLAIN },
  [PF_ERROR_CERT_PIN_MISMATCH] = {
    N_("Certificate changed"),
    N_("The server showed a different certificate from the one you chose to trust. Servers get new certificates from time to time, but this can also mean the connection is being intercepted."),
    N_("Confirm with your mail provider that the certificate changed, then set up the account again to trust the new one."),
    DETAIL_PLAIN },
  [PF_ERROR_STLS_UNAVAILABLE] = {
    N_("Encryption not offered"),
    N_("The server does not offer STARTTLS encryption on this port, so your password was not sent."),
    N_("Try port 995, which is encrypted from the start. If the server offers no encryption at all, ask your mail provider for a secure way to connect."),
    DETAIL_PLAIN },
  [PF_ERROR_STLS_INJECTION] = {
    N_("Connection tampered with"),
    N_("Unexpected data arrived while the connection was switching to encryption. This is a sign of an attack on the connection, so Popfetch stopped before sending your password."),
    N_("Try again from a different network, and prefer port 995, which is encrypted from the start."),
    DETAIL_NONE },
  [PF_ERROR_PLAINTEXT_REFUSED] = {
    N_("Password would be sent unencrypted"),
    N_("Signing in would send your password over an unencrypted connection, so Popfetch did not do it."),
    N_("Use an encrypted connection (port 995, or STARTTLS on port 110). Choose “No encryption” only if you accept that others on the network can read your password."),
    DETAIL_NONE },
  [PF_ERROR_AUTH_REJECTED] = {
    N_("Password rejected"),
    N_("The server rejected the user name or the password."),
    N_("Check the password and the user name; some providers want the full email address. Providers with two-step sign-in often need an app password."),
    DETAIL_SERVER },
  [PF_ERROR_NO_COMMON_MECHANISM] = {
    N_("No common sign-in method"),
    N_("The server and Popfetch have no safe sign-in method in common."),
    N_("Use an encrypted connection, which allows more sign-in methods, or pick a sign-in method in the account settings."),
    DETAIL_PLAIN },
  [PF_ERROR_IN_USE] = {
    N_("Mailbox in use"),
    N_("The mailbox is locked because another program or device is reading it right now."),
    N_("Close other mail programs that use this account, or wait a few minutes and try again."),
    DETAIL_SERVER },
  [PF_ERROR_LOGIN_DELAY] = {
    N_("Signed in too recently"),
    N_("The server allows signing in only every so often, and the last sign-in was too recent."),
    N_("Wait a while before checking mail again, and check less often."),
    DETAIL_SERVER },
  [PF_ERROR_SYS_TEMP] = {
    N_("Temporary server problem"),
    N_("The server has a temporary problem."),
    N_("Try again later."),
    DETAIL_SERVER },
  [PF_ERROR_SYS_PERM] = {
    N_("Server problem"),
    N_("The server reported a problem that trying again will not fix, such as a disabled account."),
    N_("Contact your mail provider and quote the server’s message."),
    DETAIL_SERVER },
  [PF_ERROR_SERVER] = {
    N_("The server refused a request"),
    N_("The server answered a request with an error."),
    N_("Try again later. If it keeps happening, contact your mail provider and quote the server’s message."),
    DETAIL_SERVER },
  [PF_ERROR_PROTOCOL] = {
    N_("Unexpected answer from the server"),
    N_("The server sent something that does not follow the POP3 protocol."),
    N_("Check that the server name and port are those of a POP3 server. If they are, the server may be faulty; try again later."),
    DETAIL_PLAIN },
  [PF_ERROR_LOCAL_DISK] = {
    N_("Could not save mail"),
    N_("Mail could not be written to the mail folder on this computer. The disk may be full or the folder read-only."),
    N_("Free some disk space or check the mail folder’s permissions, then fetch again. Messages that were not saved stay on the server."),
    DETAIL_PLAIN },
  [PF_ERROR_ACCOUNT_BUSY] = {
    N_("Already fetching"),
    N_("Another fetch of this account is running."),
    N_("Wait for it to finish, then try again."),
    DETAIL_NONE },
  [PF_ERROR_NO_UIDL] = {
    N_("Server cannot identify messages"),
    N_("The server does not give messages lasting identifiers (UIDL), so Popfetch cannot tell which messages it already downloaded."),
    N_("Ask your mail provider to enable UIDL, or change the account to delete messages from the server after downloading them."),
    DETAIL_PLAIN },
  [PF_ERROR_KEYRING_UNAVAILABLE] = {
    N_("Keyring not available"),
    N_("Popfetch keeps passwords in the system keyring, but no keyring service is running."),
    N_("Start your desktop’s keyring service (for example GNOME Keyring) or sign in to a full desktop session, then try again."),
    DETAIL_PLAIN },
  [PF_ERROR_KEYRING_LOCKED] = {
    N_("Keyring locked"),
    N_("The keyring that holds the password is locked."),
    N_("Unlock the keyring when you are asked to, or unlock it in Passwords and Keys, then try again."),
    DETAIL_NONE },
  [PF_ERROR_NO_PASSWORD] = {
    N_("No password stored"),
    N_("There is no password stored for this account."),
    N_("Enter the password again in the account settings."),
    DETAIL_NONE },
  [PF_ERROR_CONFIG] = {
    N_("Account settings unreadable"),
    N_("The file with your account settings could not be read or is damaged."),
    N_("Check the file named in the details, or remove the account and add it again."),
    DETAIL_PLAIN },
  [PF_ERROR_INVALID_INPUT] = {
    N_("Invalid entry"),
    N_("Some of the information entered cannot be used."),
    N_("Correct the entry described in the details and try again."),
    DETAIL_PLAIN },
  [PF_ERROR_NOT_FOUND] = {
    N_("No mail server found"),
    N_("Popfetch could not find a POP3 server for this address."),
    N_("Enter the server name and port yourself; your mail provider’s help pages list them."),
    DETAIL_PLAIN },
  [PF_ERROR_AUTH_MECHANISM_FAILED] = {
    N_("Sign-in method failed"),
    N_("The server refused the sign-in method Popfetch tried. This does not have to mean the password is wrong: some servers offer methods they cannot check for every account."),
    N_("Choose another sign-in method in the account settings (on an encrypted connection, “PLAIN” or “USER” work with most servers), then try again."),
    DETAIL_PLAIN },
  [PF_ERROR_TLS_OUTDATED] = {
    N_("Outdated encryption"),
    N_("The server offered only an outdated, insecure version of TLS encryption, older than TLS 1.2, so Popfetch stopped before sending your password."),
    N_("Tell your mail provider that the server needs TLS 1.2 or newer. Until then, this server cannot be used safely."),
    DETAIL_PLAIN },
};

G_STATIC_ASSERT (G_N_ELEMENTS (pf_error_table) == PF_ERROR_N_CODES);

static const Explanation host_unreachable = {
  N_("Server unreachable"),
  N_("This computer cannot reach the server: the network path to it is down or blocked."),
  N_("Check your internet connection, VPN and firewall, then try again."),
  DETAIL_PLAIN };

static const Explanation network_unreachable = {
  N_("No network"),
  N_("This computer is not connected to a network that can reach the server."),
  N_("Connect to the internet and try again."),
  DETAIL_PLAIN };

static const Explanation no_space = {
  N_("Disk full"),
  N_("There is no space left on the disk that holds your mail."),
  N_("Free some disk space, then fetch again. Messages that were not saved stay on the server."),
  DETAIL_PLAIN };

static const Explanation permission_denied = {
  N_("Permission denied"),
  N_("Popfetch is not allowed to write a file or folder it needs."),
  N_("Check the permissions of your mail folder and of Popfetch’s data folder."),
  DETAIL_PLAIN };

static const Explanation file_missing = {
  N_("File or folder missing"),
  N_("A file or folder Popfetch needs does not exist."),
  N_("Check that the mail folder still exists, or choose it again in the account settings."),
  DETAIL_PLAIN };

static const Explanation cancelled = {
  N_("Cancelled"),
  N_("The operation was cancelled before it finished."),
  N_("Start it again when you are ready."),
  DETAIL_NONE };

static const Explanation proxy_failed = {
  N_("Proxy problem"),
  N_("The network proxy could not connect to the server."),
  N_("Check the proxy settings of your system, or ask your network administrator."),
  DETAIL_PLAIN };

static const Explanation tls_bad_certificate = {
  N_("Certificate problem"),
  N_("The server’s certificate could not be verified."),
  N_("Ask your mail provider whether the server’s certificate is in order, and check this computer’s date and time."),
  DETAIL_PLAIN };

static const Explanation tls_not_tls = {
  N_("Server did not answer with encryption"),
  N_("The server answered without encryption on a port where Popfetch expected an encrypted connection."),
  N_("Use port 995 with encryption from the start, or port 110 with STARTTLS."),
  DETAIL_PLAIN };

static const Explanation tls_eof = {
  N_("Secure connection cut off"),
  N_("The server closed the encrypted connection without ending it properly."),
  N_("Try again. If it keeps happening, the server or something between you and it is dropping connections."),
  DETAIL_PLAIN };

static const Explanation tls_certificate_required = {
  N_("Client certificate required"),
  N_("The server asks for a client certificate, which Popfetch does not support."),
  N_("Ask your mail provider for a way to sign in with a password."),
  DETAIL_PLAIN };

static const Explanation tls_unavailable = {
  N_("Encryption support missing"),
  N_("This system has no TLS support installed, so no encrypted connection can be made."),
  N_("Install the glib-networking package and try again."),
  DETAIL_PLAIN };

static const Explanation resolver_temporary = {
  N_("Name lookup failed"),
  N_("The server name could not be looked up right now."),
  N_("Check your internet connection and try again in a moment."),
  DETAIL_PLAIN };

static const Explanation fallback = {
  N_("Something went wrong"),
  N_("An unexpected error occurred."),
  N_("Try again. If the problem stays, report it and include the details."),
  DETAIL_PLAIN };

static const Explanation *
explanation_for_io (gint code)
{
  switch (code)
    {
    case G_IO_ERROR_CONNECTION_REFUSED: return &pf_error_table[PF_ERROR_REFUSED];
    case G_IO_ERROR_TIMED_OUT:          return &pf_error_table[PF_ERROR_TIMEOUT];
    case G_IO_ERROR_HOST_NOT_FOUND:     return &pf_error_table[PF_ERROR_RESOLVE];
    case G_IO_ERROR_HOST_UNREACHABLE:   return &host_unreachable;
    case G_IO_ERROR_NETWORK_UNREACHABLE: return &network_unreachable;
    case G_IO_ERROR_CONNECTION_CLOSED:  /* the same value as G_IO_ERROR_BROKEN_PIPE */
    case G_IO_ERROR_NOT_CONNECTED:      return &pf_error_table[PF_ERROR_CLOSED];
    case G_IO_ERROR_NO_SPACE:           return &no_space;
    case G_IO_ERROR_PERMISSION_DENIED:
    case G_IO_ERROR_READ_ONLY:          return &permission_denied;
    case G_IO_ERROR_NOT_FOUND:          return &file_missing;
    case G_IO_ERROR_CANCELLED:          return &cancelled;
    case G_IO_ERROR_PROXY_FAILED:
    case G_IO_ERROR_PROXY_AUTH_FAILED:
    case G_IO_ERROR_PROXY_NEED_AUTH:
    case G_IO_ERROR_PROXY_NOT_ALLOWED:  return &proxy_failed;
    default:                            return NULL;
    }
}

static const Explanation *
explanation_for_tls (gint code)
{
  switch (code)
    {
    case G_TLS_ERROR_BAD_CERTIFICATE:        return &tls_bad_certificate;
    case G_TLS_ERROR_NOT_TLS:                return &tls_not_tls;
    case G_TLS_ERROR_HANDSHAKE:
    case G_TLS_ERROR_MISC:
    case G_TLS_ERROR_INAPPROPRIATE_FALLBACK: return &pf_error_table[PF_ERROR_TLS_HANDSHAKE];
    case G_TLS_ERROR_EOF:                    return &tls_eof;
    case G_TLS_ERROR_CERTIFICATE_REQUIRED:   return &tls_certificate_required;
    case G_TLS_ERROR_UNAVAILABLE:            return &tls_unavailable;
    default:                                 return NULL;
    }
}

static const Explanation *
explanation_for_resolver (gint code)
{
  switch (code)
    {
    case G_RESOLVER_ERROR_NOT_FOUND:         return &pf_error_table[PF_ERROR_RESOLVE];
    case G_RESOLVER_ERROR_TEMPORARY_FAILURE: return &resolver_temporary;
    case G_RESOLVER_ERROR_INTERNAL:
    default:                                 return NULL;
    }
}

static const Explanation *
lookup (const GError *error)
{
  const Explanation *found = NULL;

  if (error == NULL)
    return &fallback;

  if (error->domain == PF_ERROR)
    {
      if (error->code >= 0 && error->code < PF_ERROR_N_CODES)
        found = &pf_error_table[error->code];
    }
  else if (error->domain == G_IO_ERROR)
    found = explanation_for_io (error->code);
  else if (error->domain == G_TLS_ERROR)
    found = explanation_for_tls (error->code);
  else if (error->domain == G_RESOLVER_ERROR)
    found = explanation_for_resolver (error->code);

  return found != NULL ? found : &fallback;
}

void
pf_explanation_free (PfExplanation *explanation)
{
  if (explanation == NULL)
    return;
  g_free (explanation->title);
  g_free (explanation->what);
  g_free (explanation->next);
  g_free (explanation);
}

PfExplanation *
pf_error_explain (const GError *error)
{
  const Explanation *entry = lookup (error);
  PfExplanation *explanation = g_new0 (PfExplanation, 1);
  g_autofree char *detail = NULL;

  /* Messages may carry server text; strip it for display like any other. */
  if (error != NULL && error->message != NULL)
    detail = pf_pop3_sanitize_text (error->message, -1);

  explanation->title = g_strdup (_(entry->title));
  explanation->next = g_strdup (_(entry->next));

  if (detail == NULL || detail[0] == '\0' || entry->detail == DETAIL_NONE)
    explanation->what = g_strdup (_(entry->what));
  else if (entry->detail == DETAIL_SERVER)
    /* Translators: the first %s is a sentence, the second the mail server's own words. */
    explanation->what = g_strdup_printf (_("%s The server said: “%s”"), _(entry->what), detail);
  else
    /* Translators: the first %s is a sentence, the second a technical detail. */
    explanation->what = g_strdup_printf (_("%s Details: %s"), _(entry->what), detail);

  return explanation;
}

gboolean
pf_explanation_is_fallback (const PfExplanation *explanation)
{
  g_return_val_if_fail (explanation != NULL, FALSE);

  return g_strcmp0 (explanation->title, _(fallback.title)) == 0;
}
