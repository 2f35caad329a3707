// What floor.ts prepares from a twin (tokens, static requests), as the bench's tests give it: three requests, no server.
export const floorMaterial = {
  tokens: { student: 'S', instructor: 'I', none: undefined },
  requests: {
    auth_login: { method: 'post' as const, url: '/auth/login', who: 'none' as const, json: { user_id: 1 } },
    project_list: { method: 'get' as const, url: '/project/', who: 'student' as const },
    submission_create: { method: 'post' as const, url: '/submission/', who: 'student' as const, cbor: 'submission_create' },
  },
};
