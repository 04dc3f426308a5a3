/** The config schemas of a registry's plugins as a tuple, which z.discriminatedUnion needs to infer the union. */
export type PluginSchemas<T extends readonly { schema: unknown }[]> = { -readonly [K in keyof T]: T[K]['schema'] };

export function pluginSchemas<const T extends readonly { schema: unknown }[]>(plugins: T): PluginSchemas<T> {
  return plugins.map((plugin) => plugin.schema) as unknown as PluginSchemas<T>;
}
