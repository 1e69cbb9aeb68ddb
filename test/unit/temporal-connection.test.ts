import { Connection } from '@temporalio/client';
import { reachTemporal } from '../../src/temporal/connection';
import { freePort } from '../support/ports';

test('a Temporal server that cannot be reached is named, with its address, in the error (the SDK names neither)', async () => {
  const address = `127.0.0.1:${await freePort()}`; // nothing listens there
  await expect(reachTemporal(address, () => Connection.connect({ address, connectTimeout: 300 }))).rejects.toThrow(
    new RegExp(`^cannot reach Temporal at ${address} \\(TEMPORAL_ADDRESS\\): `),
  );
});
