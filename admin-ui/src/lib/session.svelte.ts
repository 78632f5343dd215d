/** The signed-in superuser, reactive: follows the SDK's auth store (sign-in, refresh, sign-out, other tabs). */
import type { RecordModel } from 'pocketbase';
import { pb } from './api.ts';

export const session = $state<{ superuser: RecordModel | null }>({ superuser: pb.authStore.isValid ? pb.authStore.record : null });

pb.authStore.onChange(() => {
  session.superuser = pb.authStore.isValid && pb.authStore.isSuperuser ? pb.authStore.record : null;
});

// another tab signing in or out: LocalAuthStore follows its storage key and calls onChange
