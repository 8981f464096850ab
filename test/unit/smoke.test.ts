import { z } from 'zod';
test('zod loads', () => { expect(z.string().safeParse(1).success).toBe(false); });
