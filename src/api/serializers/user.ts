import type { User } from '../../store/types.js';
import { isoDate, isoDateOrNull } from './dates.js';

/** Sentry's user object (the fields sentry-cli reads are `id` and `email`). */
export function serializeUser(user: User) {
  return {
    id: String(user.id),
    name: user.name,
    username: user.email,
    email: user.email,
    avatarUrl: null,
    isActive: user.isActive,
    hasPasswordAuth: user.hasPassword,
    isManaged: false,
    dateJoined: isoDate(user.dateJoined),
    lastLogin: isoDateOrNull(user.lastLogin),
    has2fa: false,
    lastActive: isoDateOrNull(user.lastLogin),
    isSuperuser: user.isSuperuser,
    isStaff: false,
    experiments: {},
    emails: [{ id: String(user.id), email: user.email, is_verified: true }],
    avatar: { avatarType: 'letter_avatar', avatarUuid: null, avatarUrl: null },
  };
}
