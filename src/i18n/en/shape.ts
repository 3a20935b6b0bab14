/** What a translation of a French area must hold: the same keys, with any strings (a missing key is a compile error). */
export type Translation<T> = { [K in keyof T]: T[K] extends string ? string : Translation<T[K]> };
