import { openApiDocument } from '../../src/api/openapi';
import { notifyPaths } from '../../src/api/openapi-notify';

/** Notifications' part of the OpenAPI document: every operation named, with its answers, headers and an example. */
const document = openApiDocument() as any;

test('the notification endpoints are in the document', () => {
  expect(Object.keys(notifyPaths).sort()).toEqual(
    [
      '/v1/events',
      '/v1/notification-settings',
      '/v1/webhooks',
      '/v1/webhooks/{id}',
      '/v1/webhooks/{id}/rotate-secret',
      '/v1/webhooks/{id}/deliveries',
      '/v1/webhooks/{id}/deliveries/{deliveryId}',
      '/v1/webhooks/{id}/redeliver',
      '/v1/webhooks/{id}/test',
    ].sort(),
  );
  for (const path of Object.keys(notifyPaths)) expect(document.paths[path]).toBe((notifyPaths as any)[path]);
});

test('each operation has a unique operationId, an example of its success, and the answers every customer endpoint can give', () => {
  const ids = new Set<string>();
  for (const [path, operations] of Object.entries(notifyPaths as Record<string, Record<string, any>>)) {
    for (const [method, operation] of Object.entries(operations)) {
      const where = `${method.toUpperCase()} ${path}`;
      expect({ where, id: typeof operation.operationId }).toEqual({ where, id: 'string' });
      expect(ids.has(operation.operationId)).toBe(false);
      ids.add(operation.operationId);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403', '503']));
      expect(operation.responses['503'].headers['Retry-After']).toBeDefined();
      const success = Object.entries(operation.responses).find(([status]) => status.startsWith('2'))![1] as any;
      if (success.content) expect({ where, example: success.content['application/json'].example !== undefined }).toEqual({ where, example: true });
      for (const response of Object.values(operation.responses) as any[]) {
        for (const content of Object.values(response.content ?? {}) as any[]) {
          const name = content.schema.$ref?.split('/').pop();
          if (name) expect(document.components.schemas[name]).toBeDefined();
        }
      }
    }
  }
});
