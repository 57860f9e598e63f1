/** A searchable field: the SQL column it maps to and how values are read (scoped_search definition). */
export interface SearchField {
  column: string;
  type: 'string' | 'integer' | 'set';
  /** Searched by bare words (scoped_search `default` fields, text only). */
  inDefault?: boolean;
}

export type SearchFields = Readonly<Record<string, SearchField>>;

/** app/models/image.rb: the columns refer to the joined image select (i, cr). */
export const IMAGE_SEARCH_FIELDS: SearchFields = {
  architecture: { column: 'i.architecture_id', type: 'integer' },
  compute_resource: { column: 'cr.name', type: 'string', inDefault: true },
  id: { column: 'i.id', type: 'integer' },
  name: { column: 'i.name', type: 'string', inDefault: true },
  operatingsystem: { column: 'i.operatingsystem_id', type: 'integer' },
  user_data: { column: 'i.user_data', type: 'set' },
  username: { column: 'i.username', type: 'string', inDefault: true },
};

export const COMPUTE_RESOURCE_SEARCH_FIELDS: SearchFields = {
  name: { column: 'name', type: 'string', inDefault: true },
  type: { column: 'provider', type: 'string' },
  id: { column: 'id', type: 'integer' },
};

export const OPERATINGSYSTEM_SEARCH_FIELDS: SearchFields = {
  name: { column: 'name', type: 'string', inDefault: true },
  title: { column: 'title', type: 'string', inDefault: true },
  major: { column: 'major', type: 'string' },
  minor: { column: 'minor', type: 'string' },
  family: { column: 'family', type: 'string' },
  description: { column: 'description', type: 'string', inDefault: true },
  id: { column: 'id', type: 'integer' },
};

export const ARCHITECTURE_SEARCH_FIELDS: SearchFields = {
  name: { column: 'name', type: 'string', inDefault: true },
  id: { column: 'id', type: 'integer' },
};
