export const keywordSearch = (query) => [query];
