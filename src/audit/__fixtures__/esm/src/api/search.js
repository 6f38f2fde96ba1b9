import { keywordSearch } from '../lib/keywords.js';
// failsoft-audit-ignore: reranking is optional, behind a kill switch; search answers from keywords without it
import { rerank } from '../lib/rerank.js';

export async function search(query) {
  const hits = keywordSearch(query);
  return process.env.RERANK === 'on' ? rerank(query, hits) : hits;
}
