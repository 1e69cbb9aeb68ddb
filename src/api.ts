import { runUntilSignal } from './service';

runUntilSignal({ api: true, worker: false });
