/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine.h - the daemon vigild: its defaults and (in later issues) the
 * loop, sources, dispatcher, scheduler and control server.
 */
#ifndef VIGIL_ENGINE_H
#define VIGIL_ENGINE_H

#define VIGILD_DEFAULT_CONFIG	"/etc/vigil/vigil.rules"
#define VIGILD_DEFAULT_SOCKET	"/run/vigil/vigil.sock"
#define VIGILD_DEFAULT_STATEDIR	"/var/lib/vigil"

#endif
