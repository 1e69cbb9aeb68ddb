import { runUntilSignal } from './service';

runUntilSignal({ api: false, worker: true });
