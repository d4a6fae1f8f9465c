/** Fetching watched repositories and reading committed content at a revision. */
export { fetchBranchHead, cacheGitDir, FetchFailedError, type RemoteRef } from './fetch.ts';
export { readFileAt, treeIdAt, listTreeAt, readBlob, TreeTooLargeError, type TreeFile, type TreeEntry, type TreeLimits } from './tree.ts';
export { writeCommit, pushCommit, PushFailedError, type CommitMeta } from './commit.ts';
