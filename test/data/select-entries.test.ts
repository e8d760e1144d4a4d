// Which images a run or a training takes: the balanced head keeps every class under a limit, by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { balancedHead, selectEntries } from '../../main/engine/data/select-entries';

// Path order: all of class 0, then class 1, then class 2 (as an ImageFolder lists them).
const entries = [0, 0, 0, 0, 1, 1, 1, 2, 2].map((label, i) => ({ label, name: `img${i}` }));

test('a training limit takes the classes in turn, in path order, and keeps every class', () => {
  assert.deepEqual(balancedHead(entries, 5).map((e) => e.name), ['img0', 'img1', 'img4', 'img5', 'img7']);
  assert.deepEqual(balancedHead(entries, 3).map((e) => e.label), [0, 1, 2]);
  // A class that runs out leaves its turn to the others.
  assert.deepEqual(balancedHead(entries, 8).map((e) => e.name), ['img0', 'img1', 'img2', 'img4', 'img5', 'img6', 'img7', 'img8']);
  assert.equal(balancedHead(entries, 20).length, 9);
  // A run's limit takes the classes in turn too (the first 3 by path would have been one class).
  assert.deepEqual(selectEntries(entries, undefined, 3).map((e) => e.label), [0, 1, 2]);
});
