// Schema validators report JSON pointers (`/tasks/2/deadline`); callers read field
// names the way they wrote them (`tasks[2].deadline`), in HTTP and gRPC alike.

export function fieldFromPointer(pointer: string, property?: string): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (property !== undefined) segments.push(property);
  let field = '';
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) field += `[${segment}]`;
    else field += field === '' ? segment : `.${segment}`;
  }
  return field;
}
