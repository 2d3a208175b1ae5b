/* pf-scheduler.h — the saved accounts while the app runs, with or without a window
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pf-account-status.h"
#include "pf-account-store.h"

G_BEGIN_DECLS

/* Why the next periodic fetch is or is not coming. */
typedef enum
{
  PF_SCHEDULE_OFF,      /* "fetch-interval" is 0 */
  PF_SCHEDULE_WAITING,  /* fetches at "next-fetch" */
  PF_SCHEDULE_OFFLINE,  /* due fetches wait for the network */
  PF_SCHEDULE_METERED,  /* due fetches wait for an unmetered network */
} PfSchedule;

GType pf_schedule_get_type (void) G_GNUC_CONST;
#define PF_TYPE_SCHEDULE (pf_schedule_get_type ())

#define PF_TYPE_SCHEDULER (pf_scheduler_get_type ())

G_DECLARE_FINAL_TYPE (PfScheduler, pf_scheduler, PF, SCHEDULER, GObject)

/* One per application. Owns the account store and one PfAccountStatus per
 * saved account, runs fetches a few at a time (never two of one mailbox),
 * and fetches every account on "fetch-interval" while the network allows,
 * whether a window is open or not.
 *
 * Properties (read-only, notified on change):
 *   "schedule"    PfSchedule
 *   "next-fetch"  gint64, wall-clock microseconds of the next periodic
 *                 fetch; 0 when none is planned
 * Signals:
 *   "loaded"          the saved accounts were read (or failed to be)
 *   "fetch-finished"  (PfAccountStatus *, guint new_messages,
 *                      GError *error_or_null, gboolean periodic)
 *   "needs-attention" (PfAccountStatus *, GError *): a periodic fetch
 *                     failed in a way the user should hear about now
 *
 * @settings may be NULL (schema not installed): nothing periodic then. */
PfScheduler     *pf_scheduler_new             (GSettings       *settings);

PfAccountStore  *pf_scheduler_get_store       (PfScheduler     *self);
/* A GListModel of PfAccountStatus, in the accounts' order. */
GListModel      *pf_scheduler_get_statuses    (PfScheduler     *self);
/* Why the accounts could not be read, or NULL. */
const GError    *pf_scheduler_get_load_error  (PfScheduler     *self);
gboolean         pf_scheduler_get_loaded      (PfScheduler     *self);
PfAccountStatus *pf_scheduler_find_status     (PfScheduler     *self,
                                               const char      *name);
/* After the store changed: one status per account, running fetches kept. */
void             pf_scheduler_sync            (PfScheduler     *self);

/* Queue a fetch of every account / of one; started as slots free up. */
void             pf_scheduler_fetch_all       (PfScheduler     *self);
void             pf_scheduler_fetch           (PfScheduler     *self,
                                               PfAccountStatus *status);
void             pf_scheduler_cancel_all      (PfScheduler     *self);

PfSchedule       pf_scheduler_get_schedule    (PfScheduler     *self);
gint64           pf_scheduler_get_next_fetch  (PfScheduler     *self);

/* The length of one minute of "fetch-interval" in seconds. */
guint            pf_scheduler_seconds_per_minute (void);

/* Pure: the index in @pending (PfAccount *) of the next account to start
 * while the accounts in @running fetch, or -1: none while @limit run,
 * and none that reads the same mailbox (host and user) as a running one. */
int              pf_scheduler_pick_next       (GPtrArray       *pending,
                                               GPtrArray       *running,
                                               guint            limit);

/* Pure: whether a failed periodic fetch is worth a notification, the same
 * failure having happened @in_a_row times in a row (1 the first time):
 * at once when only the user can fix it (password or token rejected,
 * certificate changed), else the third time. Once per streak. */
gboolean         pf_scheduler_failure_notifies (const GError   *error,
                                                guint           in_a_row);

/* Pure: the row's line about the next fetch, or NULL for PF_SCHEDULE_OFF. */
char            *pf_scheduler_format_next     (PfSchedule       schedule,
                                               GDateTime       *next_fetch,
                                               GDateTime       *now);

G_END_DECLS
