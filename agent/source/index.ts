/** Fetching watched repositories and reading committed content at a revision. */
export { fetchBranchHead, cacheGitDir, FetchFailedError, type RemoteRef } from './fetch.ts';
export { readFileAt, treeIdAt, listFilesAt, listTreeAt, readBlob, type TreeFile, type TreeEntry } from './tree.ts';
